//! CSV: one row per cost line plus a `total` row per scenario; numbers unrounded.

use super::Report;

pub(super) const HEADER: [&str; 10] = [
    "scenario",
    "region",
    "period_hours",
    "component",
    "kind",
    "quantity",
    "unit",
    "unit_price_usd",
    "monthly_usd",
    "price_source",
];

/// Columns added when the report has `--runs` distributions: each line's and the
/// total's P5 / P50 / P95 / mean over the runs.
const RUNS_HEADER: [&str; 4] = ["p5_usd", "p50_usd", "p95_usd", "mean_usd"];

pub(super) fn render(report: &Report) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let runs = report.scenarios.iter().any(|s| s.distribution.is_some());
    let mut header = HEADER.map(String::from).to_vec();
    if runs {
        header.extend(RUNS_HEADER.map(String::from));
    }
    let spread = move |s: &super::ScenarioReport, component: Option<&str>| -> Vec<String> {
        if !runs {
            return Vec::new();
        }
        let q = s.distribution.as_ref().and_then(|d| match component {
            None => Some(d.total_monthly_usd),
            Some(c) => d
                .components
                .iter()
                .find(|l| l.component == c)
                .map(|l| l.monthly_usd),
        });
        match q {
            Some(q) => vec![
                q.p5.to_string(),
                q.p50.to_string(),
                q.p95.to_string(),
                q.mean.to_string(),
            ],
            None => vec![String::new(); RUNS_HEADER.len()],
        }
    };
    let rows = std::iter::once(header).chain(report.scenarios.iter().flat_map(|s| {
        let lines = s.components.iter().map(move |c| {
            let mut row = vec![
                s.name.clone(),
                s.region.clone(),
                s.period_hours.to_string(),
                c.component.clone(),
                c.kind.to_string(),
                c.quantity.to_string(),
                c.unit.clone(),
                c.unit_price_usd.to_string(),
                c.monthly_usd.to_string(),
                c.price_source.clone(),
            ];
            row.extend(spread(s, Some(&c.component)));
            row
        });
        let mut total = vec![
            s.name.clone(),
            s.region.clone(),
            s.period_hours.to_string(),
            "total".into(),
            "total".into(),
            String::new(),
            String::new(),
            String::new(),
            s.total_monthly_usd.to_string(),
            String::new(),
        ];
        total.extend(spread(s, None));
        lines.chain(std::iter::once(total))
    }));
    for row in rows {
        w.write_record(&row).expect("writing to memory cannot fail");
    }
    w.into_inner().expect("writing to memory cannot fail")
}
