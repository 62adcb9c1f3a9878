//! TLS for PostgreSQL connections with libpq's `sslmode` semantics, on rustls
//! (ring provider).
//!
//! | sslmode | encrypts | verifies chain | verifies host name |
//! |---|---|---|---|
//! | disable | no | - | - |
//! | prefer | if the server offers it | no | no |
//! | require | yes | only when a root certificate exists (`sslrootcert`, or `~/.postgresql/root.crt`), as libpq | no |
//! | verify-ca | yes | yes | no |
//! | verify-full | yes | yes | yes |

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{anyhow, Context};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{
    verify_tls12_signature, verify_tls13_signature, CryptoProvider, WebPkiSupportedAlgorithms,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::inventory::SslMode;

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// `~/.postgresql/<name>`, where libpq looks for its default files.
fn default_file(name: &str) -> Option<PathBuf> {
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".postgresql").join(name))
}

/// Where libpq looks for the root certificate when `sslrootcert` is not set.
fn default_root_cert() -> Option<PathBuf> {
    default_file("root.crt")
}

/// `sslrootcert = "system"` (libpq 16+): the OS trust store, where OpenSSL
/// finds it: `$SSL_CERT_FILE`, else the distribution's bundle.
pub const SYSTEM: &str = "system";

fn system_bundle() -> anyhow::Result<PathBuf> {
    if let Some(f) = std::env::var_os("SSL_CERT_FILE").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(f));
    }
    [
        "/etc/ssl/certs/ca-certificates.crt", // Debian, Ubuntu, Alpine
        "/etc/pki/tls/certs/ca-bundle.crt",   // Fedora, RHEL
        "/etc/ssl/ca-bundle.pem",             // openSUSE
        "/etc/ssl/cert.pem",                  // macOS, BSDs
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
    .ok_or_else(|| {
        anyhow!("sslrootcert=system: no system certificate bundle found (set SSL_CERT_FILE)")
    })
}

fn load_roots(path: &Path) -> anyhow::Result<RootCertStore> {
    let mut store = RootCertStore::empty();
    let iter = CertificateDer::pem_file_iter(path)
        .with_context(|| format!("sslrootcert {}", path.display()))?;
    for cert in iter {
        let cert = cert.with_context(|| format!("sslrootcert {}: bad PEM", path.display()))?;
        store
            .add(cert)
            .with_context(|| format!("sslrootcert {}: unusable certificate", path.display()))?;
    }
    if store.is_empty() {
        return Err(anyhow!(
            "sslrootcert {}: no certificate in the file",
            path.display()
        ));
    }
    Ok(store)
}

/// The system bundle: certificates rustls cannot use are skipped, as OpenSSL
/// skips them.
fn load_system_roots() -> anyhow::Result<(PathBuf, RootCertStore)> {
    let path = system_bundle()?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&path)
        .with_context(|| format!("sslrootcert=system: {}", path.display()))?
        .filter_map(Result::ok)
        .collect();
    let mut store = RootCertStore::empty();
    store.add_parsable_certificates(certs);
    if store.is_empty() {
        return Err(anyhow!(
            "sslrootcert=system: no usable certificate in {}",
            path.display()
        ));
    }
    Ok((path, store))
}

/// Client certificate settings (`sslcert` / `sslkey`), as given in the
/// inventory; `None` means libpq's default file in `~/.postgresql/`.
#[derive(Debug, Clone, Default)]
pub struct ClientFiles {
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
}

/// libpq's rule for the private key file (fe-secure-openssl.c): a regular
/// file; owned by root: mode 0640 or less; owned by anyone else: 0600 or less.
pub fn check_key_permissions(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let m =
        std::fs::metadata(path).with_context(|| format!("private key file {}", path.display()))?;
    if !m.is_file() {
        return Err(anyhow!(
            "private key file {} is not a regular file",
            path.display()
        ));
    }
    let mode = m.mode();
    let bad = if m.uid() == 0 {
        mode & 0o037 != 0
    } else {
        mode & 0o077 != 0
    };
    if bad {
        return Err(anyhow!(
            "private key file {} has group or world access (mode {:o}); file must have permissions u=rw (0600) or less if owned by the current user, or u=rw,g=r (0640) or less if owned by root",
            path.display(),
            mode & 0o777
        ));
    }
    Ok(())
}

type ClientAuth = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

/// The client certificate chain and key to offer, as libpq decides: the
/// certificate file (`sslcert`, default `~/.postgresql/postgresql.crt`) is
/// used when it exists (no file: no client certificate, no error); then the
/// key (`sslkey`, default `~/.postgresql/postgresql.key`) must exist and pass
/// libpq's permission rule.
fn client_auth(files: &ClientFiles) -> anyhow::Result<Option<ClientAuth>> {
    let Some(cert) = files
        .cert
        .clone()
        .or_else(|| default_file("postgresql.crt"))
    else {
        return Ok(None);
    };
    if !cert.exists() {
        return Ok(None);
    }
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&cert)
        .with_context(|| format!("sslcert {}", cert.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("sslcert {}: bad PEM", cert.display()))?;
    if chain.is_empty() {
        return Err(anyhow!(
            "sslcert {}: no certificate in the file",
            cert.display()
        ));
    }
    let key = files
        .key
        .clone()
        .or_else(|| default_file("postgresql.key"))
        .ok_or_else(|| anyhow!("certificate present, but no private key file (set sslkey)"))?;
    if !key.exists() {
        return Err(anyhow!(
            "certificate {} present, but not private key file {}",
            cert.display(),
            key.display()
        ));
    }
    check_key_permissions(&key)?;
    let der =
        PrivateKeyDer::from_pem_file(&key).map_err(|e| anyhow!("sslkey {}: {e}", key.display()))?;
    Ok(Some((chain, der)))
}

/// Builds the rustls client configuration for a node, or `None` for `disable`.
///
/// Root certificate, as libpq: `sslrootcert` if set, else
/// `~/.postgresql/root.crt`. With `require`, an existing root certificate
/// makes the chain verified (as verify-ca). `sslrootcert = "system"` is the
/// OS trust store and needs `verify-full` (libpq refuses weaker modes with
/// it).
pub fn client_config(
    mode: SslMode,
    rootcert: Option<&Path>,
    client: &ClientFiles,
) -> anyhow::Result<Option<ClientConfig>> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .context("TLS setup")?;
    let algs = provider().signature_verification_algorithms;
    if mode == SslMode::Disable {
        return Ok(None);
    }
    let system = rootcert.is_some_and(|p| p.as_os_str() == SYSTEM);
    if system && mode != SslMode::VerifyFull {
        return Err(anyhow!(
            "weak sslmode {:?} may not be used with sslrootcert=system (use verify-full), as libpq",
            mode_name(mode)
        ));
    }
    let explicit_root = rootcert.map(Path::to_path_buf);
    let verifier: Arc<dyn ServerCertVerifier> = match mode {
        SslMode::Disable => return Ok(None),
        SslMode::Prefer => Arc::new(NoVerification(algs)),
        SslMode::Require => match explicit_root.or_else(default_root_cert) {
            // libpq: with a root certificate present (given, or the default
            // ~/.postgresql/root.crt), `require` behaves like verify-ca.
            Some(p) if p.exists() => Arc::new(ChainOnly(webpki(&p)?)),
            _ => Arc::new(NoVerification(algs)),
        },
        SslMode::VerifyFull if system => {
            let (_, roots) = load_system_roots()?;
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
                .build()
                .map_err(|e| anyhow!("sslrootcert=system: {e}"))?
        }
        SslMode::VerifyCa | SslMode::VerifyFull => {
            let p = explicit_root
                .or_else(default_root_cert)
                .ok_or_else(|| anyhow!("sslmode requires a root certificate; set sslrootcert"))?;
            if !p.exists() {
                return Err(anyhow!(
                    "sslmode {} needs a root certificate, and {} does not exist; set sslrootcert",
                    mode_name(mode),
                    p.display()
                ));
            }
            let v = webpki(&p)?;
            if mode == SslMode::VerifyCa {
                Arc::new(ChainOnly(v))
            } else {
                v
            }
        }
    };
    let builder = builder
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    Ok(Some(match client_auth(client)? {
        Some((chain, key)) => builder
            .with_client_auth_cert(chain, key)
            .context("sslcert/sslkey: the key does not fit the certificate or is unusable")?,
        None => builder.with_no_client_auth(),
    }))
}

fn mode_name(mode: SslMode) -> &'static str {
    match mode {
        SslMode::Disable => "disable",
        SslMode::Prefer => "prefer",
        SslMode::Require => "require",
        SslMode::VerifyCa => "verify-ca",
        SslMode::VerifyFull => "verify-full",
    }
}

fn webpki(root: &Path) -> anyhow::Result<Arc<WebPkiServerVerifier>> {
    let roots = load_roots(root)?;
    WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
        .build()
        .map_err(|e| anyhow!("sslrootcert {}: {e}", root.display()))
}

/// `prefer`/`require` without a root certificate: encrypt, do not authenticate
/// the server (libpq's meaning). Handshake signatures are still checked.
#[derive(Debug)]
struct NoVerification(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(m, c, d, &self.0)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(m, c, d, &self.0)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

/// `verify-ca`: the chain must lead to the root certificate; the host name is
/// not checked.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForName))
            | Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(m, c, d)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(m, c, d)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}
