//! TLS for PostgreSQL connections with libpq's `sslmode` semantics, on rustls
//! (ring provider).
//!
//! | sslmode | encrypts | verifies chain | verifies host name |
//! |---|---|---|---|
//! | disable | no | - | - |
//! | prefer | if the server offers it | no | no |
//! | require | yes | only when a root certificate is configured (as libpq) | no |
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
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::inventory::SslMode;

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Where libpq looks for the root certificate when `sslrootcert` is not set.
fn default_root_cert() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".postgresql").join("root.crt"))
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

/// Builds the rustls client configuration for a node, or `None` for `disable`.
pub fn client_config(
    mode: SslMode,
    rootcert: Option<&Path>,
) -> anyhow::Result<Option<ClientConfig>> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .context("TLS setup")?;
    let algs = provider().signature_verification_algorithms;
    let explicit_root = rootcert.map(Path::to_path_buf);
    let verifier: Arc<dyn ServerCertVerifier> =
        match mode {
            SslMode::Disable => return Ok(None),
            SslMode::Prefer => Arc::new(NoVerification(algs)),
            SslMode::Require => match explicit_root {
                // libpq: with a root certificate present, `require` behaves like verify-ca.
                Some(p) => Arc::new(ChainOnly(webpki(&p)?)),
                None => Arc::new(NoVerification(algs)),
            },
            SslMode::VerifyCa | SslMode::VerifyFull => {
                let p = explicit_root.or_else(default_root_cert).ok_or_else(|| {
                    anyhow!("sslmode requires a root certificate; set sslrootcert")
                })?;
                if !p.exists() {
                    return Err(anyhow!(
                    "sslmode {} needs a root certificate, and {} does not exist; set sslrootcert",
                    if mode == SslMode::VerifyCa { "verify-ca" } else { "verify-full" },
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
    Ok(Some(
        builder
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth(),
    ))
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
