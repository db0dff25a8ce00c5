//! Test harness: the real binary against the local AWS endpoint (moto's server mode) on
//! a free loopback port, optionally behind the fault proxy: one emulator per test that
//! changes the account, one seeded demo per test binary shared by the tests that only
//! read it (`shared_demo`). A missing emulator is a test failure with the command that
//! installs it, never a skip.
#![allow(dead_code)] // each test binary uses a different part of the harness

pub mod lambda;
pub mod webhook;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::OnceLock;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn venv_bin(name: &str) -> PathBuf {
    let path = repo().join(".venv/bin").join(name);
    assert!(
        path.exists(),
        "{} is missing: the local AWS endpoint is not installed; run scripts/setup.sh",
        path.display()
    );
    path
}

/// A process killed when dropped.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `scripts/emulator.py --watch`: moto's server mode (with the CBOR bridge the Rust SDK
/// needs for CloudWatch) in a process that binds its own free port (port 0, so no other
/// test can take the port between its choice and its use), prints it, and serves,
/// logging errors only, until its stdin closes: the emulator goes when the test binary
/// goes, even when it is never dropped (a shared one in a static) or the binary dies.
/// A moto server under the watchdog: closing `stdin` stops it.
struct Watched {
    child: Child,
    stdin: Option<ChildStdin>,
}

impl Drop for Watched {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

/// A moto server of this test's own (or, through `shared_demo`, of this test binary's).
pub struct Emulator {
    pub url: String,
    _process: Watched,
}

/// The demo account, seeded once per test binary, with its manifest of expected
/// verdicts: for the tests that only read it (they must not change it).
pub fn shared_demo() -> &'static (Emulator, serde_json::Value) {
    static DEMO: OnceLock<(Emulator, serde_json::Value)> = OnceLock::new();
    DEMO.get_or_init(|| {
        let emu = Emulator::start();
        let manifest = emu.seed_demo();
        (emu, manifest)
    })
}

impl Emulator {
    pub fn start() -> Emulator {
        let mut child = Command::new(venv_bin("python"))
            .arg(repo().join("scripts/emulator.py"))
            .arg("--watch")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start moto's server mode");
        let stdin = child.stdin.take();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port: u16 = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("moto's server did not start: {line:?}"));
        Emulator {
            url: format!("http://127.0.0.1:{port}"),
            _process: Watched { child, stdin },
        }
    }

    /// Seeds the demo account; returns the manifest of expected verdicts.
    pub fn seed_demo(&self) -> serde_json::Value {
        let out = Command::new(venv_bin("python"))
            .arg(repo().join("scripts/seed_demo.py"))
            .arg(&self.url)
            .output()
            .expect("run seed_demo.py");
        assert!(
            out.status.success(),
            "seeding failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("seed manifest is JSON")
    }

    /// Runs a Python snippet with `boto3` clients for this emulator as `client(name)`;
    /// returns what it printed. A failed assertion in it fails the test.
    pub fn boto(&self, code: &str) -> String {
        let prelude = format!(
            "import boto3, json\nfrom botocore.config import Config\n\
             def client(name):\n    return boto3.client(name, endpoint_url='{}', region_name='us-east-1', \
             aws_access_key_id='test', aws_secret_access_key='test', config=Config(s3={{'addressing_style': 'path'}}))\n",
            self.url
        );
        // Through stdin: a snippet carrying a whole report outgrows one argument (128 KiB).
        let mut child = Command::new(venv_bin("python"))
            .arg("-")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all((prelude + code).as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "boto3 snippet failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    }
}

/// The fault-injecting, request-logging proxy in front of an emulator.
pub struct Proxy {
    pub url: String,
    _process: Guard,
}

impl Proxy {
    pub fn start(upstream: &str, faults: serde_json::Value) -> Proxy {
        let mut child = Command::new(venv_bin("python"))
            .arg(repo().join("scripts/fault_proxy.py"))
            .arg(upstream)
            .arg(faults.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start fault_proxy.py");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(
            line.starts_with("http://"),
            "the proxy did not start: {line:?}"
        );
        Proxy {
            url: line.trim().to_string(),
            _process: Guard(child),
        }
    }

    /// The requests forwarded or answered so far.
    pub fn log(&self) -> Vec<serde_json::Value> {
        let out = Command::new("python3")
            .args(["-c", &format!("import urllib.request;print(urllib.request.urlopen('{}/__proxy/log').read().decode())", self.url)])
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).expect("proxy log is JSON")
    }

    /// How many requests asked `operation`: a query-protocol Action, or a JSON-protocol
    /// X-Amz-Target naming it.
    pub fn count(&self, operation: &str) -> usize {
        let target = format!(".{operation}");
        self.log()
            .iter()
            .filter(|e| {
                e["action"] == operation
                    || e["target"].as_str().is_some_and(|t| t.ends_with(&target))
            })
            .count()
    }
}

/// The binary under test with a clean, emulator-only AWS environment.
pub fn compliance(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_compliance"));
    cmd.args(args);
    for (key, _) in std::env::vars() {
        if key.starts_with("AWS_") || key == "NO_COLOR" {
            cmd.env_remove(key);
        }
    }
    let home = std::env::temp_dir().join("compliance-test-home");
    std::fs::create_dir_all(&home).unwrap();
    // Run where no `.compliance/suppressions.yaml` is, unless a test says otherwise.
    cmd.current_dir(&home)
        .env("HOME", &home)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_MAX_ATTEMPTS", "2");
    cmd
}

/// `compliance scan` of the endpoint at `url` in `format`, never failing on findings
/// (`--fail-on none`), with `extra` flags.
pub fn scan(url: &str, format: &str, extra: &[&str]) -> Command {
    let mut args = vec![
        "scan",
        "--endpoint-url",
        url,
        "--format",
        format,
        "--fail-on",
        "none",
    ];
    args.extend_from_slice(extra);
    compliance(&args)
}

/// Runs a command built by `compliance` (owned, or borrowed after `.env…` calls).
pub fn run(mut cmd: impl std::borrow::BorrowMut<Command>) -> Output {
    cmd.borrow_mut().output().expect("run compliance")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).to_string()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// A scan's JSON report.
pub fn json_report(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}); stderr: {}", stderr(out)))
}

/// Scans the emulator at `url` into the JSON report `file` (exit 0 asserted); the
/// report's scan id.
pub fn scan_to_file(url: &str, file: &Path) -> String {
    let out = run(scan(url, "json", &["--output", file.to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    report["scan"]["id"].as_str().unwrap().to_string()
}

/// The status of one (rule, resource) finding.
pub fn status_of<'r>(report: &'r serde_json::Value, rule: &str, resource: &str) -> Option<&'r str> {
    report["findings"]
        .as_array()?
        .iter()
        .find(|f| f["rule_id"] == rule && f["resource_id"] == resource)
        .and_then(|f| f["status"].as_str())
}

/// The finding of `rule` on `resource` (panics naming both when there is none).
pub fn finding<'r>(
    report: &'r serde_json::Value,
    rule: &str,
    resource: &str,
) -> &'r serde_json::Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == rule && f["resource_id"] == resource)
        .unwrap_or_else(|| panic!("no {rule} finding for {resource}"))
}

/// Every (resource, status) one rule's findings give.
pub fn findings_of(report: &serde_json::Value, rule: &str) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .map(|f| {
            (
                f["resource_id"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A new empty directory of this test's own: tests of one binary run concurrently, so
/// two asking for the same `name` still get two directories.
pub fn temp_dir(name: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir =
        std::env::temp_dir().join(format!("compliance-test-{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

/// `file` read back by `scripts/check_report.py KIND` (schema-validated for sarif and
/// junit, parsed for html): what it found, as JSON.
pub fn check_report(kind: &str, file: &Path) -> serde_json::Value {
    let out = Command::new(venv_bin("python"))
        .arg(repo().join("scripts/check_report.py"))
        .arg(kind)
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{kind} check failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Runs `cmd` with a pseudo-terminal as stdin (so it asks, as for a person), typing
/// `answer` and a newline. stdout and stderr are captured as usual.
pub fn run_on_terminal(cmd: &Command, answer: &str) -> Output {
    const DRIVER: &str = r#"
import os, pty, subprocess, sys
master, slave = pty.openpty()
child = subprocess.Popen(sys.argv[2:], stdin=slave)
os.close(slave)
os.write(master, sys.argv[1].encode() + b"\n")
sys.exit(child.wait(timeout=300))
"#;
    let mut driver = Command::new(venv_bin("python"));
    driver
        .arg("-c")
        .arg(DRIVER)
        .arg(answer)
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(v) => driver.env(key, v),
            None => driver.env_remove(key),
        };
    }
    driver.output().unwrap()
}
