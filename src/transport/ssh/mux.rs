//! The held mux connection.

use std::io;
use std::path::Path;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;

/// A connection to the master's control socket, speaking just enough of
/// OpenSSH's mux protocol (PROTOCOL.mux): hello, alive check (for the
/// master's pid), terminate. Holding it open is what keeps
/// `ControlPersist=<n>s` from ending the master while the run lives.
pub(super) struct MuxConn(UnixStream);
const MUX_MSG_HELLO: u32 = 0x0000_0001;
const MUX_C_ALIVE_CHECK: u32 = 0x1000_0004;
const MUX_C_TERMINATE: u32 = 0x1000_0005;
const MUX_S_ALIVE: u32 = 0x8000_0005;
const MUX_VERSION: u32 = 4;

impl MuxConn {
    pub(super) async fn connect(ctl: &Path) -> io::Result<MuxConn> {
        let mut c = MuxConn(UnixStream::connect(ctl).await?);
        c.send(&[MUX_MSG_HELLO, MUX_VERSION]).await?;
        let hello = c.recv().await?;
        if hello.get(..4) != Some(&MUX_MSG_HELLO.to_be_bytes()[..]) {
            return Err(io::Error::other("unexpected mux hello"));
        }
        Ok(c)
    }

    async fn send(&mut self, words: &[u32]) -> io::Result<()> {
        let mut buf = Vec::with_capacity(4 + words.len() * 4);
        buf.extend_from_slice(&((words.len() * 4) as u32).to_be_bytes());
        for w in words {
            buf.extend_from_slice(&w.to_be_bytes());
        }
        self.0.write_all(&buf).await
    }

    async fn recv(&mut self) -> io::Result<Vec<u8>> {
        let len = self.0.read_u32().await? as usize;
        if len > 256 * 1024 {
            return Err(io::Error::other("oversized mux message"));
        }
        let mut buf = vec![0; len];
        self.0.read_exact(&mut buf).await?;
        Ok(buf)
    }

    /// The master's pid.
    pub(super) async fn alive_check(&mut self) -> io::Result<u32> {
        const RID: u32 = 1;
        self.send(&[MUX_C_ALIVE_CHECK, RID]).await?;
        let m = self.recv().await?;
        let word = |i: usize| {
            m.get(i * 4..i * 4 + 4)
                .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        };
        match (word(0), word(1), word(2)) {
            (Some(MUX_S_ALIVE), Some(RID), Some(pid)) if pid > 0 => Ok(pid),
            _ => Err(io::Error::other("unexpected reply to the mux alive check")),
        }
    }

    /// Asks the master to exit now (`ssh -O exit`).
    pub(super) async fn terminate(&mut self) -> io::Result<()> {
        self.send(&[MUX_C_TERMINATE, 2]).await?;
        let _ = self.recv().await;
        Ok(())
    }
}
