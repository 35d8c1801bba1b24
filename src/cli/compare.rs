//! `redshift-cost compare`: Serverless vs provisioned for scenarios that have both a
//! `[serverless]` and a `[provisioned]` section, with the break-even busy hours a day.

use super::{
    expand_scenario_paths, load_all, note_prices, resolve_prices, warn_fallbacks, write_output,
    Error, Exit, Messages, PriceArgs,
};
use crate::model::estimate::estimate_deployments;
use crate::model::figures::{Deployment, ScenarioEstimate};
use crate::pricing::bundled::bundled;
use crate::pricing::price_sheet;
use crate::report::compare::CompareReport;
use crate::report::Format;
use crate::scenario::{parse_set_arg, SetArg};
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Scenario files (TOML) with both `[serverless]` and `[provisioned]`, or directories.
    #[arg(required = true, value_name = "SCENARIO")]
    pub scenarios: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Override a scenario value, e.g. `--set provisioned.nodes=4` (repeatable).
    #[arg(long = "set", value_name = "KEY.PATH=VALUE", value_parser = parse_set_arg)]
    pub sets: Vec<SetArg>,
    #[command(flatten)]
    pub pricing: PriceArgs,
}

pub fn run_compare(args: &CompareArgs, messages: &mut Messages) -> Result<Exit, Error> {
    let paths = expand_scenario_paths(&args.scenarios)?;
    let loaded = load_all(&paths, &args.sets, bundled(), messages)?;
    let lacking: Vec<String> = loaded
        .iter()
        .filter(|l| l.scenario.serverless.is_none() || l.scenario.provisioned.is_none())
        .map(|l| {
            let s = &l.scenario;
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
    let regions: Vec<String> = loaded.iter().map(|l| l.scenario.region.clone()).collect();
    let resolved = resolve_prices(&args.pricing, &regions, messages)?;
    let book = &resolved.book;
    let mut pairs: Vec<(ScenarioEstimate, ScenarioEstimate)> = Vec::new();
    for l in &loaded {
        let s = &l.scenario;
        let sheet = price_sheet(book, s)
            .ok_or_else(|| Error::Input(format!("the price book has no region `{}`", s.region)))?;
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
    warn_fallbacks(&resolved, &flat, messages);
    note_prices(messages, &resolved, &flat);
    let report = CompareReport::new(&pairs);
    write_output(args.out.as_deref(), &report.render(args.format))?;
    Ok(Exit::Ok)
}
