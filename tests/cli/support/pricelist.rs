//! A Price List Query API fixture server for the tests: AWS JSON 1.1 over HTTP/1.1 on
//! 127.0.0.1, `X-Amz-Target: AWSPriceListService.GetProducts` and `.DescribeServices`,
//! the five filter types (TERM_MATCH, EQUALS, CONTAINS, ANY_OF, NONE_OF), NextToken
//! pagination, and faults on demand (HTTP 500, ThrottlingException, AccessDeniedException,
//! slow answers). It serves the records of `tests/fixtures/pricelist/*.json`, each
//! `PriceList` element a JSON string as in real answers, and logs every request.
//!
//! Only std and serde_json: one thread accepts, one thread per connection, one request per
//! connection (`Connection: close`).

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// What the server can be told to do instead of answering.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Fault {
    /// HTTP 500 `InternalErrorException`.
    Status500,
    /// HTTP 400 `ThrottlingException`.
    Throttle,
    /// HTTP 400 `AccessDeniedException` (the caller lacks `pricing:GetProducts`).
    AccessDenied,
    /// Answer normally, after this long.
    Slow(Duration),
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub(crate) struct Logged {
    /// `X-Amz-Target`.
    pub target: String,
    pub content_type: String,
    pub authorization: String,
    pub body: Value,
    /// The fault it was answered with, if any.
    pub fault: Option<Fault>,
}

#[derive(Default)]
struct Behaviour {
    page_size: Option<usize>,
    /// The fault, and for how many more requests (`None`: for every request).
    fault: Option<(Fault, Option<usize>)>,
    omit_families: Vec<String>,
}

struct State {
    /// Every record (a Price List record as JSON).
    records: Vec<Value>,
    behaviour: Mutex<Behaviour>,
    log: Mutex<Vec<Logged>>,
}

pub(crate) struct PriceListServer {
    addr: SocketAddr,
    state: Arc<State>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

/// The records of every fixture file.
pub(crate) fn fixture_records() -> Vec<Value> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pricelist");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixture directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        out.extend(v["products"].as_array().expect("products").iter().cloned());
    }
    out
}

impl PriceListServer {
    /// Starts a server with the fixture records on 127.0.0.1 (a free port).
    pub(crate) fn start() -> PriceListServer {
        PriceListServer::with_records(fixture_records())
    }

    pub(crate) fn with_records(records: Vec<Value>) -> PriceListServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State {
            records,
            behaviour: Mutex::new(Behaviour::default()),
            log: Mutex::new(Vec::new()),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st) = (state.clone(), stop.clone());
        let accept = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let s = s.clone();
                std::thread::spawn(move || {
                    let _ = serve(conn, &s);
                });
            }
        });
        PriceListServer {
            addr,
            state,
            stop,
            accept: Some(accept),
        }
    }

    /// `http://127.0.0.1:PORT`, for `AWS_ENDPOINT_URL_PRICING`.
    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// At most `n` records per page (the client's MaxResults still applies).
    pub(crate) fn set_page_size(&self, n: usize) {
        self.state.behaviour.lock().unwrap().page_size = Some(n.max(1));
    }

    /// The next `n` requests get `fault`; then the server answers normally.
    pub(crate) fn fail_first(&self, n: usize, fault: Fault) {
        self.state.behaviour.lock().unwrap().fault = Some((fault, Some(n)));
    }

    /// Every request gets `fault`.
    pub(crate) fn fail_always(&self, fault: Fault) {
        self.state.behaviour.lock().unwrap().fault = Some((fault, None));
    }

    /// Leaves the records of `product_family` out of every answer.
    pub(crate) fn omit_family(&self, product_family: &str) {
        self.state
            .behaviour
            .lock()
            .unwrap()
            .omit_families
            .push(product_family.to_string());
    }

    pub(crate) fn requests(&self) -> Vec<Logged> {
        self.state.log.lock().unwrap().clone()
    }

    /// GetProducts requests so far (faulted ones included).
    pub(crate) fn get_products_count(&self) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.target == "AWSPriceListService.GetProducts")
            .count()
    }
}

impl Drop for PriceListServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr); // wake the accept loop
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

/// A port on 127.0.0.1 with nothing listening (bound, then released).
pub(crate) fn closed_port_url() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    format!("http://{addr}")
}

// ----------------------------------------------------------------------------------------
// HTTP

fn serve(conn: TcpStream, state: &State) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line)? == 0 {
        return Ok(()); // a bare connect (the drop wake-up)
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let len: usize = header("content-length").parse().unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body)?;
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let target = header("x-amz-target");

    let fault = {
        let mut b = state.behaviour.lock().unwrap();
        match &mut b.fault {
            Some((f, None)) => Some(f.clone()),
            Some((f, Some(n))) if *n > 0 => {
                *n -= 1;
                Some(f.clone())
            }
            _ => None,
        }
    };
    state.log.lock().unwrap().push(Logged {
        target: target.clone(),
        content_type: header("content-type"),
        authorization: header("authorization"),
        body: body.clone(),
        fault: fault.clone(),
    });

    let (status, answer) = match fault {
        Some(Fault::Status500) => (
            500,
            json!({"__type": "InternalErrorException", "Message": "An internal error occurred (fixture)."}),
        ),
        Some(Fault::Throttle) => (
            400,
            json!({"__type": "ThrottlingException", "Message": "Rate exceeded (fixture)."}),
        ),
        Some(Fault::AccessDenied) => (
            400,
            json!({"__type": "AccessDeniedException", "Message": "User: arn:aws:iam::123456789012:user/test is not authorized to perform: pricing:GetProducts (fixture)"}),
        ),
        Some(Fault::Slow(d)) => {
            std::thread::sleep(d);
            answer(&target, &body, state)
        }
        None => answer(&target, &body, state),
    };
    let text = answer.to_string();
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        _ => "Internal Server Error",
    };
    let mut conn = conn;
    let _ = write!(
        conn,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nx-amzn-RequestId: fixture-{}\r\nConnection: close\r\n\r\n{text}",
        text.len(),
        state.log.lock().unwrap().len()
    );
    conn.flush()
}

fn client_error(kind: &str, message: &str) -> (u16, Value) {
    (400, json!({"__type": kind, "Message": message}))
}

fn answer(target: &str, body: &Value, state: &State) -> (u16, Value) {
    match target {
        "AWSPriceListService.GetProducts" => get_products(body, state),
        "AWSPriceListService.DescribeServices" => describe_services(body),
        other => client_error(
            "UnknownOperationException",
            &format!("unknown operation {other:?}"),
        ),
    }
}

const ATTRIBUTE_NAMES: [&str; 20] = [
    "productFamily",
    "regionCode",
    "location",
    "locationType",
    "usagetype",
    "operation",
    "instanceType",
    "vcpu",
    "memory",
    "storage",
    "io",
    "currentGeneration",
    "usageFamily",
    "storageMedia",
    "concurrencyscalingfreeusage",
    "paymentOption",
    "term",
    "description",
    "servicecode",
    "servicename",
];

fn describe_services(body: &Value) -> (u16, Value) {
    let services = match body["ServiceCode"].as_str() {
        None | Some("AmazonRedshift") => {
            vec![json!({"ServiceCode": "AmazonRedshift", "AttributeNames": ATTRIBUTE_NAMES})]
        }
        Some(_) => vec![],
    };
    (
        200,
        json!({"Services": services, "FormatVersion": "aws_v1"}),
    )
}

/// The value of filter field `field` in `record`.
fn field<'a>(record: &'a Value, field: &str) -> Option<&'a str> {
    match field {
        "productFamily" => record["product"]["productFamily"].as_str(),
        "sku" => record["product"]["sku"].as_str(),
        "serviceCode" => record["serviceCode"].as_str(),
        f => record["product"]["attributes"][f].as_str(),
    }
}

fn matches(record: &Value, kind: &str, name: &str, value: &str) -> Result<bool, String> {
    let have = field(record, name);
    let list = || value.split(',').map(str::trim);
    Ok(match kind {
        "TERM_MATCH" => have.is_some_and(|h| h.eq_ignore_ascii_case(value)),
        "EQUALS" => have == Some(value),
        "CONTAINS" => have.is_some_and(|h| h.contains(value)),
        "ANY_OF" => have.is_some_and(|h| list().any(|v| v == h)),
        "NONE_OF" => !have.is_some_and(|h| list().any(|v| v == h)),
        other => return Err(format!("unknown filter type {other:?}")),
    })
}

fn fingerprint(body: &Value) -> u64 {
    // FNV-1a of the filters: a token is only valid for the query it came from.
    let text = body["Filters"].to_string() + body["ServiceCode"].as_str().unwrap_or("");
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn get_products(body: &Value, state: &State) -> (u16, Value) {
    let Some(service) = body["ServiceCode"].as_str() else {
        return client_error("InvalidParameterException", "ServiceCode is required");
    };
    let max = match body.get("MaxResults") {
        None | Some(Value::Null) => 100,
        Some(v) => match v.as_u64() {
            Some(n @ 1..=100) => n as usize,
            _ => {
                return client_error(
                    "InvalidParameterException",
                    "MaxResults must be between 1 and 100",
                )
            }
        },
    };
    let filters: Vec<(String, String, String)> = body["Filters"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    let s = |k: &str| f[k].as_str().unwrap_or("").to_string();
                    (s("Type"), s("Field"), s("Value"))
                })
                .collect()
        })
        .unwrap_or_default();
    let behaviour = state.behaviour.lock().unwrap();
    let mut selected = Vec::new();
    for r in &state.records {
        if r["serviceCode"].as_str() != Some(service) {
            continue;
        }
        let family = r["product"]["productFamily"].as_str().unwrap_or("");
        if behaviour.omit_families.iter().any(|f| f == family) {
            continue;
        }
        let mut ok = true;
        for (kind, name, value) in &filters {
            match matches(r, kind, name, value) {
                Ok(m) => ok &= m,
                Err(e) => return client_error("InvalidParameterException", &e),
            }
        }
        if ok {
            selected.push(r);
        }
    }
    let page = behaviour.page_size.map_or(max, |p| p.min(max));
    drop(behaviour);

    let fp = fingerprint(body);
    let start = match body["NextToken"].as_str() {
        None => 0,
        Some(token) => match token.split_once(':') {
            Some((offset, f)) if f == fp.to_string() => match offset.parse::<usize>() {
                Ok(o) if o <= selected.len() => o,
                _ => return client_error("InvalidNextTokenException", "The token is invalid"),
            },
            _ => return client_error("InvalidNextTokenException", "The token is invalid"),
        },
    };
    let end = (start + page).min(selected.len());
    let price_list: Vec<String> = selected[start..end]
        .iter()
        .map(std::string::ToString::to_string)
        .collect();
    let mut out = json!({"FormatVersion": "aws_v1", "PriceList": price_list});
    if end < selected.len() {
        out["NextToken"] = json!(format!("{end}:{fp}"));
    }
    (200, out)
}
