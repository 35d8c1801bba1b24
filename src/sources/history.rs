//! The warehouse's own history through the Redshift Data API (`ExecuteStatement` on a
//! Serverless workgroup, `DescribeStatement` polled with backoff and a bounded wait,
//! `GetStatementResult` page by page): SYS_QUERY_HISTORY, SYS_SERVERLESS_USAGE and
//! SYS_INTEGRATION_ACTIVITY. SQL comes from fixed templates; the window is passed as
//! typed parameters, never spliced into the text.

use super::aws::{classify, load, run_within, AwsError};
use super::AsyncRuntime;
use aws_sdk_redshiftdata as rd;
use chrono::{NaiveDate, NaiveDateTime};
use rd::types::{Field, SqlParameter, StatusString};
use std::time::Duration;

const SERVICE: &str = "the Redshift Data API";

/// SYS_QUERY_HISTORY over the window, oldest first.
pub const QUERIES_SQL: &str = "SELECT start_time, elapsed_time, query_type, user_id, query_label, result_cache_hit \
FROM sys_query_history \
WHERE start_time >= CAST(:window_start AS TIMESTAMP) AND start_time < CAST(:window_end AS TIMESTAMP) \
ORDER BY start_time";

/// SYS_SERVERLESS_USAGE (one row a minute) over the window.
pub const USAGE_SQL: &str = "SELECT start_time, end_time, compute_seconds, compute_capacity, charged_seconds \
FROM sys_serverless_usage \
WHERE start_time >= CAST(:window_start AS TIMESTAMP) AND start_time < CAST(:window_end AS TIMESTAMP) \
ORDER BY start_time";

/// SYS_INTEGRATION_ACTIVITY (one row a refresh) over the window.
pub const REFRESHES_SQL: &str = "SELECT integration_id, checkpoint_type, checkpoint_bytes, integration_start_time, integration_end_time \
FROM sys_integration_activity \
WHERE integration_start_time >= CAST(:window_start AS TIMESTAMP) AND integration_start_time < CAST(:window_end AS TIMESTAMP) \
ORDER BY integration_start_time";

/// Where the statements run.
#[derive(Debug, Clone, PartialEq)]
pub struct DataApiTarget {
    pub workgroup: String,
    pub database: String,
    pub secret_arn: Option<String>,
    pub region: Option<String>,
    /// How long a statement may take before it is cancelled and the run fails.
    pub max_wait: Duration,
}

/// One value of a result row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Long(i64),
    Double(f64),
    Bool(bool),
    Null,
}

impl Value {
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Long(v) => Some(*v as f64),
            Value::Double(v) => Some(*v),
            Value::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::Str(s) => match s.trim() {
                "t" | "true" | "TRUE" | "1" => Some(true),
                "f" | "false" | "FALSE" | "0" => Some(false),
                _ => None,
            },
            Value::Long(v) => Some(*v != 0),
            _ => None,
        }
    }

    /// A Data API timestamp (`2026-01-05 10:00:00.123456`, UTC).
    pub fn as_time(&self) -> Option<NaiveDateTime> {
        let s = self.as_str()?.trim();
        [
            "%Y-%m-%d %H:%M:%S%.f",
            "%Y-%m-%dT%H:%M:%S%.f",
            "%Y-%m-%d %H:%M:%S",
        ]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    }
}

/// A result set: column names (lower case) and rows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

impl Table {
    /// The index of `column`, or an error naming what the result had.
    pub fn column(&self, column: &str) -> Result<usize, AwsError> {
        self.columns
            .iter()
            .position(|c| c == column)
            .ok_or_else(|| {
                AwsError::Other(format!(
                    "the Data API result lacks the column `{column}` (it has: {})",
                    self.columns.join(", ")
                ))
            })
    }
}

fn value(f: &Field) -> Value {
    match f {
        Field::StringValue(s) => Value::Str(s.clone()),
        Field::LongValue(v) => Value::Long(*v),
        Field::DoubleValue(v) => Value::Double(*v),
        Field::BooleanValue(b) => Value::Bool(*b),
        _ => Value::Null,
    }
}

/// Backoff between `DescribeStatement` polls: 100 ms doubling to 2 s.
pub fn poll_delays() -> impl Iterator<Item = Duration> {
    (0u32..).map(|k| Duration::from_millis((100u64 << k.min(5)).min(2_000)))
}

/// Runs `sql` with the window as parameters and reads every page of its result.
pub async fn query(
    client: &rd::Client,
    attempts: u32,
    target: &DataApiTarget,
    sql: &'static str,
    window: (NaiveDate, NaiveDate),
) -> Result<Table, AwsError> {
    let param = |name: &str, d: NaiveDate| {
        SqlParameter::builder()
            .name(name)
            .value(format!("{d} 00:00:00"))
            .build()
            .map_err(|e| AwsError::Other(format!("a Data API parameter: {e}")))
    };
    let started = client
        .execute_statement()
        .workgroup_name(&target.workgroup)
        .database(&target.database)
        .set_secret_arn(target.secret_arn.clone())
        .sql(sql)
        .parameters(param("window_start", window.0)?)
        .parameters(param("window_end", window.1)?)
        .statement_name("redshift-cost history")
        .send()
        .await
        .map_err(|e| {
            classify(
                SERVICE,
                "ExecuteStatement",
                "redshift-data:ExecuteStatement (and redshift-serverless:GetCredentials)",
                attempts,
                e,
            )
        })?;
    let id = started
        .id()
        .ok_or_else(|| AwsError::Other("ExecuteStatement answered without a statement id".into()))?
        .to_string();
    let deadline = tokio::time::Instant::now() + target.max_wait;
    let mut delays = poll_delays();
    loop {
        let d = client
            .describe_statement()
            .id(&id)
            .send()
            .await
            .map_err(|e| {
                classify(
                    SERVICE,
                    "DescribeStatement",
                    "redshift-data:DescribeStatement",
                    attempts,
                    e,
                )
            })?;
        match d.status() {
            Some(StatusString::Finished) => {
                if !d.has_result_set().unwrap_or(false) {
                    return Ok(Table::default());
                }
                break;
            }
            Some(StatusString::Failed | StatusString::Aborted) => {
                return Err(AwsError::Other(format!(
                    "the statement on workgroup `{}` {}: {}",
                    target.workgroup,
                    if d.status() == Some(&StatusString::Failed) {
                        "failed"
                    } else {
                        "was aborted"
                    },
                    d.error().unwrap_or("no error message")
                )));
            }
            _ => {}
        }
        let wait = delays.next().unwrap_or(Duration::from_secs(2));
        if tokio::time::Instant::now() + wait > deadline {
            // Best effort: a statement we no longer wait for should not keep running.
            let _ = client.cancel_statement().id(&id).send().await;
            return Err(AwsError::Other(format!(
                "the statement on workgroup `{}` did not finish within {} s (status {}); it was cancelled. Allow longer with --max-wait",
                target.workgroup,
                target.max_wait.as_secs(),
                d.status().map_or("unknown", StatusString::as_str)
            )));
        }
        tokio::time::sleep(wait).await;
    }
    let mut table = Table::default();
    let mut token: Option<String> = None;
    for _ in 0..10_000 {
        let page = client
            .get_statement_result()
            .id(&id)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| {
                classify(
                    SERVICE,
                    "GetStatementResult",
                    "redshift-data:GetStatementResult",
                    attempts,
                    e,
                )
            })?;
        if table.columns.is_empty() {
            table.columns = page
                .column_metadata()
                .iter()
                .map(|c| c.name().unwrap_or("").to_ascii_lowercase())
                .collect();
        }
        for record in page.records() {
            table.rows.push(record.iter().map(value).collect());
        }
        if table.rows.len() > MAX_ROWS {
            return Err(AwsError::Other(format!(
                "more than {MAX_ROWS} rows came back; narrow the window with --days"
            )));
        }
        token = page
            .next_token()
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        if token.is_none() {
            return Ok(table);
        }
    }
    Err(AwsError::Other(
        "the Data API kept sending pages; narrow the window".into(),
    ))
}

/// The most rows a history read keeps (about a week of a very busy warehouse).
pub const MAX_ROWS: usize = 5_000_000;

/// Runs one template through the standard chain (`AWS_ENDPOINT_URL_REDSHIFT_DATA`
/// honoured), within the statement's wait plus a minute of calls.
pub fn read(
    runtime: &AsyncRuntime,
    target: &DataApiTarget,
    sql: &'static str,
    window: (NaiveDate, NaiveDate),
) -> Result<Table, AwsError> {
    let deadline = target.max_wait + Duration::from_mins(1);
    run_within(runtime, deadline, SERVICE, async {
        let (conf, attempts) = load(target.region.as_deref(), SERVICE).await?;
        let client = rd::Client::new(&conf);
        query(&client, attempts, target, sql, window).await
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_take_the_window_as_parameters_only() {
        for sql in [QUERIES_SQL, USAGE_SQL, REFRESHES_SQL] {
            assert!(sql.contains(":window_start") && sql.contains(":window_end"));
            assert!(!sql.contains('\''), "no literals to splice into: {sql}");
        }
        let d: Vec<Duration> = poll_delays().take(8).collect();
        assert_eq!(d[0], Duration::from_millis(100));
        assert_eq!(d[4], Duration::from_millis(1600));
        assert_eq!(d[7], Duration::from_secs(2));
        assert_eq!(
            Value::Str("2026-01-05 10:00:00.5".into())
                .as_time()
                .unwrap()
                .to_string(),
            "2026-01-05 10:00:00.500"
        );
        assert_eq!(Value::Str("t".into()).as_bool(), Some(true));
    }
}
