//! The one moto launcher of the integration tests: `moto_server` on a free port, started
//! once per test binary and shared by every test (tests keep apart by unique resource names),
//! or started privately for a test that needs a moto nobody else writes to. Every instance
//! stops when the test binary exits.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

pub struct Moto {
    pub url: String,
    // The wrapper shell kills moto when this pipe closes, that is when the test binary exits
    // (a value in a `static` is never dropped, so a `Drop` impl could not do it).
    _stdin: Mutex<ChildStdin>,
    _child: Mutex<Child>,
}

/// The moto server shared by the whole test binary.
pub fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(Moto::start)
}

/// A tool from the repository's virtualenv when there is one, else from `PATH`.
pub fn python_tool(name: &str) -> PathBuf {
    let in_venv = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(".venv/bin")
        .join(name);
    if in_venv.exists() {
        in_venv
    } else {
        PathBuf::from(name)
    }
}

impl Moto {
    /// Starts a moto server of its own and waits until it answers.
    pub fn start() -> Moto {
        let port = free_port();
        let binary = python_tool("moto_server");
        let script = format!(
            "\"{}\" -H 127.0.0.1 -p {port} >/dev/null 2>&1 & pid=$!; cat >/dev/null; kill $pid",
            binary.display()
        );
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(script)
            .stdin(Stdio::piped())
            .spawn()
            .expect("start moto_server (pip install 'moto[server]')");
        let stdin = child.stdin.take().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while !answers(port) {
            assert!(
                Instant::now() < deadline,
                "moto_server did not answer on port {port} within 30 s"
            );
            // Polling a child process that is starting up: there is no event to wait for.
            std::thread::sleep(Duration::from_millis(50));
        }
        Moto {
            url: format!("http://127.0.0.1:{port}"),
            _stdin: Mutex::new(stdin),
            _child: Mutex::new(child),
        }
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().unwrap().port()
}

/// One plain HTTP request to moto's management API: is it serving yet?
fn answers(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = "GET /moto-api/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.") && &head[9..12] == b"200"
}
