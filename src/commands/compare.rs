//! `redshift-cost compare`: Serverless vs provisioned for scenarios that have both a
//! `[serverless]` and a `[provisioned]` section, with the break-even busy hours a day.

use super::{PriceConfig, ScenarioConfig};
use crate::error::{Error, Exit};
use crate::output::{write_output, Messages};
use crate::pipeline::{self, LoadedScenario};
use crate::report::compare::CompareReport;
use crate::report::Format;
use crate::sources::AsyncRuntime;
use redshift_cost_core::model::estimate::estimate_deployments;
use redshift_cost_core::model::figures::{Deployment, ScenarioEstimate};
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub(crate) struct CompareConfig {
    pub(crate) scenarios: ScenarioConfig,
    pub(crate) format: Format,
    pub(crate) out: Option<PathBuf>,
    pub(crate) prices: PriceConfig,
}

pub(crate) fn run(
    c: &CompareConfig,
    runtime: &AsyncRuntime,
    messages: &mut Messages,
) -> Result<Exit, Error> {
    let (_, loaded) = pipeline::load(&c.scenarios, messages)?;
    let lacking: Vec<String> = loaded
        .iter()
        .map(LoadedScenario::scenario)
        .filter(|s| s.serverless.is_none() || s.provisioned.is_none())
        .map(|s| {
            let missing = match (s.serverless.is_none(), s.provisioned.is_none()) {
                (true, true) => "neither a [serverless] nor a [provisioned] section",
                (true, false) => "no [serverless] section",
                _ => "no [provisioned] section",
            };
            format!(
                "error: {}: scenario `{}` has {missing}; compare needs both\n  = help: add e.g. `[serverless]` with `base_rpu = 8`, or `[provisioned]` with `node_type = \"ra3.xlplus\"` and `nodes = 2`",
                s.path.display(),
                s.name
            )
        })
        .collect();
    if !lacking.is_empty() {
        return Err(Error::Diagnostics(lacking.join("\n\n")));
    }
    let resolved = pipeline::resolve_loaded(&loaded, &c.prices.source(runtime), messages)?;
    let book = &resolved.book;
    let mut pairs: Vec<(ScenarioEstimate, ScenarioEstimate)> = Vec::new();
    for s in loaded.iter().map(LoadedScenario::scenario) {
        let sheet = pipeline::sheet_for(book, s)?;
        let mut all = estimate_deployments(s, &sheet).map_err(|e| Error::Input(format!("{e}")))?;
        let pv = all
            .pop()
            .filter(|e| e.deployment == Some(Deployment::Provisioned));
        let sv = all
            .pop()
            .filter(|e| e.deployment == Some(Deployment::Serverless));
        if let (Some(sv), Some(pv)) = (sv, pv) {
            pairs.push((sv, pv));
        }
    }
    let flat: Vec<ScenarioEstimate> = pairs
        .iter()
        .flat_map(|(s, p)| [s.clone(), p.clone()])
        .collect();
    pipeline::warn_fallbacks(&resolved, &flat, messages);
    pipeline::note_prices(messages, &resolved, &flat);
    let report = CompareReport::new(&pairs);
    write_output(c.out.as_deref(), &report.render(c.format))?;
    Ok(Exit::Ok)
}
