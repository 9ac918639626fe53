//! A stand-in for the GitHub REST API on 127.0.0.1: it answers a script of
//! expected requests, in order, with the shapes of GitHub's REST description,
//! and records every request it gets (method, path, headers, body) for the test
//! to assert. A request the script does not expect gets a 500 and is recorded.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// An answer to send.
#[derive(Clone, Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Wait this long before answering (to test timeouts).
    pub delay: Duration,
}

impl Reply {
    #[allow(clippy::needless_pass_by_value)]
    pub(crate) fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply { status, headers: Vec::new(), body: body.to_string(), delay: Duration::ZERO }
    }

    pub(crate) fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub(crate) fn after(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
}

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub(crate) struct Seen {
    pub method: String,
    pub path: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Whether the script expected it.
    pub expected: bool,
}

impl Seen {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

type Script = VecDeque<(String, String, Reply)>;

/// The running stand-in.
pub(crate) struct FakeGitHub {
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl FakeGitHub {
    /// Starts a server answering `script`: (method, path with query, reply).
    pub(crate) fn start(script: Vec<(&str, &str, Reply)>) -> FakeGitHub {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a local port");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let script: Script =
            script.into_iter().map(|(m, p, r)| (m.to_string(), p.to_string(), r)).collect();
        let script = Arc::new(Mutex::new(script));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (script_in, seen_in) = (script, seen.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (script, seen) = (script_in.clone(), seen_in.clone());
                std::thread::spawn(move || serve(stream, &script, &seen));
            }
        });
        FakeGitHub { url, seen }
    }

    /// Every request so far.
    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, script: &Mutex<Script>, seen: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    // One request per connection: every answer says `connection: close`.
    {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = request_line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let path = parts.next().unwrap_or("").to_string();
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
            }
        }
        let length = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse::<usize>().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let body = String::from_utf8_lossy(&body).into_owned();

        let next = {
            let mut script = script.lock().unwrap();
            match script.front() {
                Some((m, p, _)) if *m == method && *p == path => script.pop_front(),
                _ => None,
            }
        };
        let expected = next.is_some();
        seen.lock().unwrap().push(Seen { method, path, headers, body, expected });
        let reply = next.map(|(_, _, r)| r).unwrap_or_else(|| {
            Reply::json(500, serde_json::json!({"message": "the stand-in did not expect this"}))
        });
        std::thread::sleep(reply.delay);
        let reason = match reply.status {
            200 => "OK",
            201 => "Created",
            204 => "No Content",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            429 => "Too Many Requests",
            _ => "Status",
        };
        let mut head = format!(
            "HTTP/1.1 {} {reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n",
            reply.status,
            if reply.status == 204 { 0 } else { reply.body.len() }
        );
        for (name, value) in &reply.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let _ = writer.write_all(head.as_bytes());
        if reply.status != 204 {
            let _ = writer.write_all(reply.body.as_bytes());
        }
        let _ = writer.flush();
    }
}
