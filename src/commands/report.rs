//! `redshift-cost report`: a monthly report folder (index.md, index.html, summary.json,
//! charts), built in memory and swapped in as a whole.

use super::charts::{heatmap_chart, timeline_chart, Hours};
use super::{PriceConfig, ScenarioConfig, TimelineWindow};
use crate::error::{Error, Exit};
use crate::output::Messages;
use crate::pipeline::{self, LoadedScenario};
use crate::report::diff::{diff, parse_totals};
use crate::report::site::{cost_breakdown, slug, Site, SiteChart};
use crate::report::{Generated, Report};
use crate::sources::AsyncRuntime;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub(crate) struct ReportConfig {
    pub(crate) scenarios: ScenarioConfig,
    /// The report folder.
    pub(crate) out: PathBuf,
    pub(crate) force: bool,
    /// A previous report's summary.json.
    pub(crate) baseline: Option<PathBuf>,
    pub(crate) budget: Option<f64>,
    pub(crate) window: TimelineWindow,
    /// `--runs N`, `--budget-quantile Q`.
    pub(crate) runs: Option<super::RunsConfig>,
    pub(crate) prices: PriceConfig,
    /// `--comment`: print comment.md to stdout too.
    pub(crate) comment: bool,
    /// When the report says it was made (`SOURCE_DATE_EPOCH` or now).
    pub(crate) generated_at: chrono::DateTime<chrono::Utc>,
}

/// Builds the report folder in memory, then swaps it in as a whole.
pub(crate) fn run(
    c: &ReportConfig,
    runtime: &AsyncRuntime,
    messages: &mut Messages,
) -> Result<Exit, Error> {
    let (_, loaded) = pipeline::load(&c.scenarios, messages)?;
    let scenarios = || loaded.iter().map(LoadedScenario::scenario);
    let resolved = pipeline::resolve_loaded(&loaded, &c.prices.source(runtime), messages)?;
    let estimates = pipeline::estimate(scenarios(), &resolved.book)?;
    let mut report = Report::new(&estimates, c.budget);
    if let Some(r) = c.runs {
        pipeline::attach_runs(
            &mut report,
            scenarios(),
            &resolved.book,
            r.runs,
            r.budget_quantile,
        )?;
    }
    let note = crate::report::messages::note(&pipeline::price_note(&resolved, &estimates));
    report.generated = Some(Generated {
        tool: "redshift-cost",
        tool_version: env!("CARGO_PKG_VERSION"),
        billing_model: redshift_cost_core::BILLING_MODEL,
        generated_at: c
            .generated_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        prices: resolved.describe(),
        bundled_prices_as_of: crate::sources::prices::bundled::bundled().as_of.to_string(),
    });
    let baseline = match &c.baseline {
        None => None,
        Some(path) => {
            let text = crate::fsx::read_text(path, crate::fsx::MAX_JSON_BYTES).map_err(|e| {
                Error::Input(format!("cannot read baseline {}: {e}", path.display()))
            })?;
            let old = parse_totals(&text, &path.display().to_string())
                .map_err(|e| Error::Input(format!("{e}")))?;
            let new_json =
                String::from_utf8_lossy(&report.render(crate::report::Format::Json)).into_owned();
            let new =
                parse_totals(&new_json, "this report").map_err(|e| Error::Failure(e.into()))?;
            Some(diff(&old, &new))
        }
    };
    let mut charts = vec![SiteChart {
        stem: "cost-breakdown".into(),
        alt: "Monthly cost by scenario and kind of cost".into(),
        scenario: None,
        chart: cost_breakdown(&report),
    }];
    if c.runs.is_some() {
        charts.push(SiteChart {
            stem: "distribution".into(),
            alt: "The month's total over the Monte Carlo runs".into(),
            scenario: None,
            chart: crate::report::site::distribution_chart(&report),
        });
    }
    let mut used = std::collections::BTreeSet::new();
    let mut unique = |stem: String| {
        let mut stem = stem;
        while !used.insert(stem.clone()) {
            stem.push('x');
        }
        stem
    };
    for s in scenarios() {
        // One simulation of the hours serves the busiest-hour window and the heatmap.
        let mut hours = Hours::new(s);
        if let Some(chart) = timeline_chart(&mut hours, c.window)? {
            charts.push(SiteChart {
                stem: unique(format!("capacity-{}", slug(&s.name))),
                alt: format!("Capacity of {}", s.name),
                scenario: Some(s.name.clone()),
                chart,
            });
        }
        // A heatmap says something once the period spans days.
        if s.period.hours >= 48.0 {
            if let Some(chart) = heatmap_chart(&mut hours)? {
                charts.push(SiteChart {
                    stem: unique(format!("heatmap-{}", slug(&s.name))),
                    alt: format!("Billed RPU-hours of {} by day and hour", s.name),
                    scenario: Some(s.name.clone()),
                    chart,
                });
            }
        }
    }
    let site = Site {
        report: &report,
        price_note: &note,
        charts,
        baseline,
    };
    let files = site.files().map_err(|e| Error::Failure(e.into()))?;
    match crate::output::write_report_dir(&c.out, &files, c.force) {
        Ok(()) => {}
        Err(crate::output::DirError::Refused(why)) => {
            return Err(Error::Input(format!("refusing to write the report: {why}")))
        }
        Err(crate::output::DirError::Io(e)) => {
            return Err(Error::Failure(anyhow::Error::new(e).context(format!(
                "cannot write the report to {}",
                c.out.display()
            ))))
        }
    }
    if c.comment {
        if let Some((_, bytes)) = files.iter().find(|(name, _)| name == "comment.md") {
            crate::output::write_output(None, bytes)?;
        }
    }
    pipeline::note_prices(messages, &resolved, &estimates);
    Ok(pipeline::budget_exit(&report, messages))
}
