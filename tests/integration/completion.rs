//! Dynamic shell completion (issue 16): node names from the inventory,
//! tenant names and `NODE/` prefixes from the cache a real `list` run wrote;
//! hostile database names never reach the shell; the bash script completes
//! in a real bash. zsh and fish are checked by their script text (and run
//! when installed).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use crate::fixtures::{create_tenant, TenantSpec};
use crate::harness::{free_port, tenantctl_bin, tenantctl_with_home, write_inventory, Cluster};

/// Database names a tenant could choose that a shell would interpret.
const HOSTILE: [&str; 5] = [
    "x$(touch PWNED)",
    "y`touch PWNED`",
    "semi;touch PWNED",
    "sp ace",
    "nl\ntouch PWNED",
];

fn complete(home: &Path, inv: &Path, words: &[&str]) -> Vec<String> {
    let o = tenantctl_with_home(home)
        .env("TENANTCTL_INVENTORY", inv)
        .arg("__complete")
        .arg("--")
        .args(words)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(o.stderr.is_empty(), "{o:?}");
    String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

fn sorted(v: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// The bash completion of the command line `words` (the last one is being
/// completed) with the committed script, in a real bash: COMPREPLY, one per
/// line, and what `complete -p tenantctl` says.
fn bash_complete(home: &Path, cwd: &Path, inv: &Path, words: &[&str]) -> (Vec<String>, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/tenantctl.bash");
    let bin_dir = tenantctl_bin().parent().unwrap().to_path_buf();
    let quoted: Vec<String> = words
        .iter()
        .map(|w| format!("'{}'", w.replace('\'', "'\\''")))
        .collect();
    let prog = format!(
        "source '{}'\n\
         complete -p tenantctl >&2\n\
         COMP_WORDS=(tenantctl {})\n\
         COMP_CWORD={}\n\
         COMP_LINE=\"${{COMP_WORDS[*]}}\"; COMP_POINT=${{#COMP_LINE}}\n\
         _tenantctl_dynamic tenantctl \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script.display(),
        quoted.join(" "),
        words.len()
    );
    let o = Command::new("bash")
        .arg("--norc")
        .arg("--noprofile")
        .arg("-c")
        .arg(prog)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()))
        .env("HOME", home)
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("TENANTCTL_INVENTORY", inv)
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    let out = String::from_utf8(o.stdout).unwrap();
    (
        out.lines()
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

#[test]
fn completion_from_the_cache_that_list_writes() {
    let c = Cluster::start("cmp");
    for t in ["acme", "acme-staging", "globex"] {
        create_tenant(&c, t, &TenantSpec::default());
    }
    for t in HOSTILE {
        create_tenant(&c, t, &TenantSpec::default());
    }
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    // n2 is down (nothing listens): completion never connects anyway.
    let down = format!(
        "[[node]]\nname = \"n2\"\nhost = \"127.0.0.1\"\nport = {}\n",
        free_port()
    );
    let inv = write_inventory(dir.path(), &[("n1", &c)], &down);

    // Before any list: nodes from the inventory, no tenants.
    assert_eq!(
        complete(&home, &inv, &["--node", ""]),
        sorted(&["n1", "n2"])
    );
    assert_eq!(
        complete(&home, &inv, &["show", ""]),
        sorted(&["n1/", "n2/"])
    );

    // A real list (n2 down: exit 3) writes the cache for n1.
    let o = tenantctl_with_home(&home)
        .arg("-i")
        .arg(&inv)
        .arg("list")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{o:?}");
    let listed = String::from_utf8_lossy(&o.stdout);
    assert!(
        listed.contains("sp ace") && listed.contains("globex"),
        "the hostile names are tenants that list shows: {listed}"
    );
    let cache_dir = home.join(".cache/tenantctl");
    let files: Vec<_> = std::fs::read_dir(&cache_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(
        files.len(),
        1,
        "one cache file, no temporary left: {files:?}"
    );
    let meta = std::fs::metadata(&files[0]).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert_eq!(
        std::fs::metadata(&cache_dir).unwrap().permissions().mode() & 0o777,
        0o700
    );
    let raw = std::fs::read_to_string(&files[0]).unwrap();
    assert!(!raw.contains("PWNED") && !raw.contains("sp ace"), "{raw}");
    assert!(raw.contains(&std::fs::canonicalize(&inv).unwrap().display().to_string()));

    let plain = ["acme", "acme-staging", "globex"];
    let mut all: Vec<&str> = plain.to_vec();
    all.extend(["n1/", "n2/"]);
    assert_eq!(complete(&home, &inv, &["show", ""]), sorted(&all));
    assert_eq!(
        complete(&home, &inv, &["show", "ac"]),
        sorted(&["acme", "acme-staging"])
    );
    assert_eq!(
        complete(
            &home,
            &inv,
            &["-o", "json", "suspend", "--reason", "x", "n1/a"]
        ),
        sorted(&["n1/acme", "n1/acme-staging"])
    );
    assert_eq!(
        complete(&home, &inv, &["show", "n2/"]),
        Vec::<String>::new()
    );
    assert_eq!(
        complete(&home, &inv, &["log", "--tenant", "g"]),
        sorted(&["globex"])
    );
    assert_eq!(
        complete(&home, &inv, &["move", "acme", ""]),
        sorted(&["n1", "n2"])
    );
    assert_eq!(
        complete(&home, &inv, &["create", ""]),
        sorted(&["n1/", "n2/"])
    );
    assert_eq!(
        complete(&home, &inv, &["bulk", "suspend", "--node", "n"]),
        sorted(&["n1", "n2"])
    );
    // Not a tenant position: nothing dynamic (clap's completion applies).
    assert!(complete(&home, &inv, &["show", "acme", ""]).is_empty());
    assert!(complete(&home, &inv, &["show", "--"]).is_empty());
    assert!(complete(&home, &inv, &["list", "--match", ""]).is_empty());
    assert!(complete(&home, &inv, &["sh"]).is_empty());
    // -i on the line being completed picks the inventory (and its cache).
    let o = tenantctl_with_home(&home)
        .arg("__complete")
        .args(["--", "-i"])
        .arg(&inv)
        .args(["show", "g"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&o.stdout), "globex\n");
    // Another inventory has its own cache.
    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    let inv2 = write_inventory(&other, &[("n1", &c)], "");
    assert_eq!(complete(&home, &inv2, &["show", ""]), sorted(&["n1/"]));

    // A real bash, with the committed script.
    let cwd = dir.path().join("cwd");
    std::fs::create_dir_all(&cwd).unwrap();
    let (reply, registered) = bash_complete(&home, &cwd, &inv, &["show", ""]);
    assert!(
        registered.contains("-F _tenantctl_dynamic")
            && registered.trim_end().ends_with(" tenantctl"),
        "{registered}"
    );
    assert_eq!(reply, sorted(&all));
    let (reply, _) = bash_complete(&home, &cwd, &inv, &["passwd", "n1/g"]);
    assert_eq!(reply, vec!["n1/globex".to_string()]);
    let (reply, _) = bash_complete(&home, &cwd, &inv, &["--node", "n"]);
    assert_eq!(reply, sorted(&["n1", "n2"]));
    // Static completion still works around it: subcommands and options.
    let (reply, _) = bash_complete(&home, &cwd, &inv, &["sh"]);
    assert_eq!(reply, vec!["show".to_string()]);
    let (reply, _) = bash_complete(&home, &cwd, &inv, &["list", "--so"]);
    assert_eq!(reply, vec!["--sort".to_string()]);
    assert!(!cwd.join("PWNED").exists() && !home.join("PWNED").exists());

    // A cache planted with hostile names (another writer, an old version):
    // still only plain names come out.
    let planted = serde_json::json!({
        "inventory": std::fs::canonicalize(&inv).unwrap().display().to_string(),
        "nodes": {"n1": ["ok1", "x$(touch PWNED)", "a\nb", "-rf", "é", "n1/../x"]},
    });
    std::fs::write(&files[0], planted.to_string()).unwrap();
    assert_eq!(
        complete(&home, &inv, &["show", ""]),
        sorted(&["ok1", "n1/", "n2/"])
    );
    let (reply, _) = bash_complete(&home, &cwd, &inv, &["show", ""]);
    assert_eq!(reply, sorted(&["ok1", "n1/", "n2/"]));
    assert!(!cwd.join("PWNED").exists());

    // check discovers the tenants too: a fresh home gets its cache from it.
    let home2 = dir.path().join("home2");
    std::fs::create_dir_all(&home2).unwrap();
    let o = tenantctl_with_home(&home2)
        .arg("-i")
        .arg(&inv)
        .args(["--node", "n1", "check"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert_eq!(
        complete(&home2, &inv, &["show", "n1/"]),
        sorted(&["n1/acme", "n1/acme-staging", "n1/globex"])
    );

    // list --match adds what it saw without forgetting the rest.
    let o = tenantctl_with_home(&home)
        .arg("-i")
        .arg(&inv)
        .args(["--node", "n1", "list", "--match", "glob*"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert_eq!(
        complete(&home, &inv, &["show", ""]),
        sorted(&["globex", "ok1", "n1/", "n2/"])
    );
}

/// zsh and fish: the glue is in the committed scripts (run by the shells
/// themselves when they are installed; this machine may have only bash).
#[test]
fn zsh_and_fish_scripts_ask_tenantctl_for_names() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let zsh = std::fs::read_to_string(root.join("completions/tenantctl.zsh")).unwrap();
    assert!(zsh.starts_with("#compdef tenantctl"));
    assert!(
        zsh.contains("\n_tenantctl_static() {\n"),
        "clap's function renamed"
    );
    let dynamic = &zsh[zsh.find("\n_tenantctl() {\n").expect("dynamic _tenantctl")..];
    assert!(dynamic.contains("__complete -- \"${(@)words[2,CURRENT]}\""));
    assert!(dynamic.contains("_tenantctl_static \"$@\""));
    assert!(
        dynamic.contains("compadd -S '' --"),
        "NODE/ without a space"
    );
    assert!(
        dynamic.contains("if [ \"$funcstack[1]\" = \"_tenantctl\" ]"),
        "the dynamic function is the one registered"
    );
    let fish = std::fs::read_to_string(root.join("completions/tenantctl.fish")).unwrap();
    assert!(fish.contains("function __fish_tenantctl_dynamic"));
    assert!(fish.contains("__complete -- $tokens[2..-1]"));
    assert!(fish.contains("complete -c tenantctl -l node -r -f -a '(__fish_tenantctl_dynamic)'"));
    for (shell, file, check) in [
        ("zsh", "completions/tenantctl.zsh", "-n"),
        ("fish", "completions/tenantctl.fish", "--no-execute"),
    ] {
        match Command::new(shell).arg(check).arg(root.join(file)).output() {
            Ok(o) => assert!(o.status.success(), "{shell}: {o:?}"),
            Err(e) => println!("{shell} not installed ({e}): checked by its text only"),
        }
    }
}
