//! A suspend or reactivate whose COMMIT acknowledgement was lost: settled on a new
//! connection from its token and what it wrote.

use super::*;

/// A write whose COMMIT acknowledgement was lost.
pub(super) struct Lost<'a> {
    pid: Option<i32>,
    token: &'a str,
    error: &'a anyhow::Error,
    written: &'a settle::Written,
}

impl<'a> Lost<'a> {
    /// The lost commit of the write made with `o` (its token).
    pub(super) fn new(
        pid: Option<i32>,
        o: &'a WriteOpts,
        error: &'a anyhow::Error,
        written: &'a settle::Written,
    ) -> Lost<'a> {
        Lost {
            pid,
            token: &o.token,
            error,
            written,
        }
    }
}

/// Settles a suspend/reactivate whose COMMIT acknowledgement was lost. Our
/// token in the database means the commit happened (no one could read it
/// before). Its absence alone proves nothing (the tenant can rewrite
/// `ir_config_parameter`): "did not commit, nothing changed" only when
/// what the write changed (users, jobs, record keys) is also as before it;
/// when the evidence disagrees the outcome is `unknown`.
pub(super) async fn settle_token(
    t: &Target,
    run: &Run,
    lost: Lost<'_>,
    r: Report,
    verify: Verify,
    what: &str,
) -> Report {
    let who = t.display();
    let error = lost.error;
    let settled = async {
        let conn = reconnect(t, run, lost.pid).await?;
        let (st, done, signs) = tokio::join!(
            biased;
            suspension::state(&conn.client),
            settle::token_committed(&conn.client, lost.token, conn.deadline),
            settle::committed_signs(&conn.client, lost.written, conn.deadline),
        );
        anyhow::Ok((conn, st?, done?, signs?))
    };
    match tokio::time::timeout(Duration::from_secs(60), settled).await {
        Ok(Ok((conn, st, true, _))) => {
            let users = r.users;
            let mut r = r.ok(
                Outcome::Changed,
                format!(
                    "{what} of {who} committed (settled after a lost commit acknowledgement: {error:#})"
                ),
            );
            r.users = users;
            r.warnings.push(format!(
                "the commit's acknowledgement was lost ({error:#}); settled on a new connection: the change is committed"
            ));
            let verify = match verify {
                Verify::Reactivated(_) => {
                    let on = suspension::observed(&conn.client, conn.deadline)
                        .await
                        .map(|(a, _)| a)
                        .unwrap_or_default();
                    r.users = on.len();
                    Verify::Reactivated(on)
                }
                v => v,
            };
            after_commit(&conn, t, run, st.signals, Changed::UsersAndParams, verify, r).await
        }
        Ok(Ok((conn, st, false, signs))) if !signs.is_empty() => {
            // Whether or not it was ours, a signal only clears caches: sent so
            // that a committed change is not served from them.
            let sig = resignal(&conn, run, st.signals).await;
            let mut r = r.fail(
                Outcome::Unknown,
                format!(
                    "{who}: the commit of the {what} was sent but its acknowledgement was lost ({error:#}); its {} is not in the database, but {} (the tenant can rewrite that key): whether this run's change committed is unknown: run `tenantctl show {who}`",
                    keys::WRITE_TOKEN,
                    signs.join(", ")
                ),
            );
            r.warnings.push(match sig {
                Ok(()) => "the cache signal was sent in case the change committed".to_string(),
                Err(e) => format!("the cache signal failed too: {e:#}"),
            });
            r
        }
        Ok(Ok((_, _, false, _))) => r.fail(
            Outcome::Failed,
            format!(
                "{who}: the {what} did not commit (settled after a lost commit acknowledgement: {error:#}; neither its token nor anything it wrote is in the database); nothing changed"
            ),
        ),
        Ok(Err(e)) => r.fail(
            Outcome::Unknown,
            format!(
                "{who}: the commit of the {what} was sent but its acknowledgement was lost ({error:#}), and the result could not be read ({e:#}); it may or may not have happened: run `tenantctl show {who}`"
            ),
        ),
        Err(_) => r.fail(
            Outcome::Unknown,
            format!(
                "{who}: the commit of the {what} was sent but its acknowledgement was lost ({error:#}), and settling it timed out; it may or may not have happened: run `tenantctl show {who}`"
            ),
        ),
    }
}
