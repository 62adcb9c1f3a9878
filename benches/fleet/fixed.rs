//! Measurements that do not depend on the fleet's size: passlib end to end,
//! the hash alone in process, `--help`, and what SCRAM costs the client.

use super::*;

pub(crate) struct Fixed {
    pub(crate) hash_runs: usize,
    pub(crate) pure_tc: Vec<f64>,
    pub(crate) python: PathBuf,
    pub(crate) s_passlib: Vec<Sample>,
    pub(crate) pure_passlib: Vec<f64>,
    pub(crate) passlib_backend: String,
    pub(crate) passlib: Option<Stats>,
    pub(crate) help_runs: usize,
    pub(crate) s_help: Vec<Sample>,
}

pub(crate) fn measure(env: &start::Env, o: &Opts, notes: &mut Vec<String>) -> Fixed {
    let start::Env {
        fleet,
        home,
        inv_direct,
        work,
        pw_file,
        ..
    } = env;
    // --- independent of the fleet size: passlib, the hash alone, --help ------
    eprintln!("fleet: passlib, hashing, --help");
    let hash_runs = o.runs.max(5);
    // The hash alone, in process, with tenantctl's own code.
    let mut pure_tc = Vec::new();
    for _ in 0..hash_runs {
        let t0 = Instant::now();
        let h = tenantctl::odoo::password::pbkdf2_sha512(NEW_PASSWORD, 600_000);
        pure_tc.push(t0.elapsed().as_secs_f64());
        assert!(h.starts_with("$pbkdf2-sha512$600000$"));
    }
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    let mut s_passlib = Vec::new();
    let mut pure_passlib = Vec::new();
    let mut passlib_backend = String::new();
    if python.is_file() {
        for _ in 0..hash_runs {
            let mut cmd = Command::new(&python);
            cmd.arg("-c").arg(PASSLIB_SCRIPT);
            let f = fleet.measure(&mut cmd, work, Some(pw_file));
            must("passlib", exited_ok(&f));
            for kv in f.stdout().split_whitespace() {
                if let Some(v) = kv.strip_prefix("hash_s=") {
                    pure_passlib.push(v.parse::<f64>().unwrap_or(f64::NAN));
                }
                if let Some(v) = kv.strip_prefix("backend=") {
                    passlib_backend = v.to_string();
                }
            }
            s_passlib.push(f.sample);
        }
    }
    let passlib = stats(&s_passlib);
    let help_runs = 20;
    let mut s_help = Vec::new();
    for _ in 0..help_runs {
        let f = run_measured(&mut tenantctl(home, inv_direct, &["--help"]), work, None);
        must("tenantctl --help", exited_ok(&f));
        s_help.push(f.sample);
    }
    // What SCRAM costs the client per connection: PBKDF2-HMAC-SHA256 with the
    // server's 4096 iterations (PostgreSQL 15), which tokio-postgres computes
    // for every connection.
    let scram_ms = median(
        (0..20)
            .map(|_| {
                let t0 = Instant::now();
                let mut out = [0u8; 32];
                pbkdf2::pbkdf2_hmac::<sha2::Sha256>(
                    SUPERUSER_PASSWORD.as_bytes(),
                    b"0123456789abcdef",
                    4096,
                    &mut out,
                );
                std::hint::black_box(out);
                t0.elapsed().as_secs_f64() * 1000.0
            })
            .collect(),
    );
    notes.push(format!(
        "SCRAM: deriving the client key (PBKDF2-HMAC-SHA256, 4096 iterations) takes {scram_ms:.2} ms in process; tokio-postgres does it for every connection, though the salt and iterations are the same for every database of a node."
    ));

    Fixed {
        hash_runs,
        pure_tc,
        python,
        s_passlib,
        pure_passlib,
        passlib_backend,
        passlib,
        help_runs,
        s_help,
    }
}
