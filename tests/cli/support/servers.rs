//! Python helpers of the test environment on 127.0.0.1 (moto, the CBOR proxy, the Data
//! API fixture server): started with their arguments, ready once they print
//! `READY <url>`, stopped when dropped (they exit when their standard input closes).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc;

pub(crate) struct PyServer {
    child: Child,
    stdin: Option<ChildStdin>,
    pub(crate) url: String,
}

impl PyServer {
    /// Starts `tests/support/<script>` with `args` under the test Python, when it imports
    /// `modules` (else `None` after a notice; CI=true fails instead).
    pub(crate) fn start(
        script: &str,
        args: &[&str],
        modules: &str,
        needed_by: &str,
    ) -> Option<PyServer> {
        let python = super::python::python_with(modules, needed_by)?;
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let mut child = std::process::Command::new(python)
            .arg(root.join("tests/support").join(script))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the helper starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let Ok(line) = rx.recv_timeout(std::time::Duration::from_secs(90)) else {
            let _ = child.kill();
            panic!("{script} did not say READY within 90 s");
        };
        let url = line
            .trim()
            .strip_prefix("READY ")
            .unwrap_or_else(|| panic!("unexpected first line from {script}: {line:?}"))
            .to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        let stdin = child.stdin.take();
        Some(PyServer { child, stdin, url })
    }
}

impl Drop for PyServer {
    fn drop(&mut self) {
        drop(self.stdin.take());
        for _ in 0..50 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
