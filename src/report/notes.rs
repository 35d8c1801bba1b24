//! The sentences of the model's notes: every [`Note`] the core records, in the words the
//! documents show (JSON `notes`, the table, Markdown and the report folder).

use super::format;
use redshift_cost_core::engine::Metering;
use redshift_cost_core::model::notes::{Note, PipelineWork};

/// A number for notes: grouped, at most 2 decimals, trailing zeros dropped.
fn num(x: f64) -> String {
    let s = format::quantity(x);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The sentence of `note`.
pub fn sentence(note: &Note) -> String {
    match note {
        Note::BusyLongerThanCluster {
            busy_hours_per_day,
            cluster_hours_per_day,
        } => format!(
            "The workloads keep the warehouse busy {busy_hours_per_day:.1} h a day on average, more than the {cluster_hours_per_day} h a day the cluster runs."
        ),
        Note::LocalSsdStorage { node_type } => format!(
            "{node_type} stores data on local SSDs included in the node price: no managed-storage line."
        ),
        Note::ZeroEtlOnCluster => {
            "Zero-ETL refreshes run on the cluster's own capacity: no line of their own.".into()
        }
        Note::ReservedNodesDoNotPause => {
            "Reserved nodes are billed for every hour of the term: pausing saves nothing.".into()
        }
        Note::SpectrumOnServerless {
            scans_per_day,
            class,
            seconds_each,
            gb_per_second,
        } => format!(
            "Spectrum on Serverless has no per-TB charge: its {} scans a day are RPU time, simulated as the class `{class}` ({seconds_each:.1} s each at {} GB/s).",
            num(*scans_per_day),
            num(*gb_per_second)
        ),
        Note::NoAthenaPrice { region } => format!(
            "No Athena price for {region}: set [prices] athena_tb to see the comparison line."
        ),
        Note::FreeBackups {
            snapshot_gb,
            free_gb,
            allowance_gb,
        } => format!(
            "Backups: {} GB of snapshots, {} GB of them free (DC2: up to the cluster's {} GB of storage).",
            num(*snapshot_gb),
            num(*free_gb),
            num(*allowance_gb)
        ),
        Note::ServerlessRecoveryPoints => {
            "Serverless recovery points (kept 24 h) are free; user snapshots are [storage] snapshot_gb."
                .into()
        }
        Note::SnapshotCopy {
            region,
            first_copy_gb,
        } => format!(
            "Snapshot copy to {region}: each day's changes are transferred; the first full copy ({} GB) is a one-off transfer, not in the period's bill.",
            num(*first_copy_gb)
        ),
        Note::RedshiftMl {
            cells_per_training,
            sampled_from_cells,
        } => format!(
            "Redshift ML: {} cells per training{}; inference runs in the warehouse, no line of its own.",
            num(*cells_per_training),
            match sampled_from_cells {
                Some(cells) => format!(" (of {} in the data, sampled down to MAX_CELLS)", num(*cells)),
                None => String::new(),
            }
        ),
        Note::LambdaExtract {
            pipeline,
            rows_per_page,
            page_mb,
            page_over_limit,
            invocations_per_sync,
            sync_elapsed_s,
            syncs,
        } => format!(
            "{pipeline}: {} rows a page ({page_mb:.2} MB{}), {} invocations a sync; a full sync takes {} ({} syncs in the period).",
            num(*rows_per_page),
            if *page_over_limit {
                ", above Lambda's 6 MB response limit: those invocations fail"
            } else {
                ""
            },
            num(*invocations_per_sync),
            format::seconds(*sync_elapsed_s),
            num(*syncs)
        ),
        Note::PipelineOnCluster { pipeline, work } => {
            let what = match work {
                PipelineWork::PageQueries => "page queries",
                PipelineWork::Unload => "UNLOAD",
                PipelineWork::DataApiStatements => "Data API statements",
            };
            format!(
                "{pipeline}: the {what} run on the cluster's own capacity: no warehouse line of their own."
            )
        }
        Note::DataApiFree { pipeline } => format!(
            "{pipeline}: the Data API has no charge of its own; its statements are warehouse time."
        ),
        Note::ZeroEtlRefresh {
            refresh_interval_s,
            sync_duration_s,
            sync_duration_default,
            change,
            refresh_seconds,
            sync_rpu,
            sync_runs,
            staleness_s,
        } => {
            let how = match change {
                None => format!(
                    "each refresh {} at {} RPU{}",
                    format::seconds(*refresh_seconds),
                    num(*sync_rpu),
                    if *sync_duration_default {
                        " (default)"
                    } else {
                        ""
                    }
                ),
                Some(c) => format!(
                    "each refresh {} + {} MB/h × {} h / {} MB/s = {} at {} RPU",
                    format::seconds(*sync_duration_s),
                    num(c.mb_per_hour),
                    num(refresh_interval_s / 3600.0),
                    num(c.apply_mb_per_second),
                    format::seconds(*refresh_seconds),
                    num(*sync_rpu)
                ),
            };
            format!(
                "Zero-ETL: REFRESH_INTERVAL {}, {how}; {} refreshes; data up to {} old (the interval plus the longest refresh).",
                format::seconds(*refresh_interval_s),
                format::count(*sync_runs),
                format::seconds(*staleness_s)
            )
        }
        Note::ContinuousReplication { sync_rpu } => format!(
            "Zero-ETL: continuous replication (REFRESH_INTERVAL 0) keeps the workgroup busy at {} RPU all period; its apply lag is not modelled.",
            num(*sync_rpu)
        ),
        Note::Metering { rule } => match rule {
            Metering::BusyPeriod => "Metering: busy-period (one 60-second minimum per busy period). AWS does not document the rule for overlapping queries; `--metering both` shows the per-minute bill too.".into(),
            Metering::PerMinute => "Metering: per-minute (every wall-clock minute a charge window touches is billed whole). AWS does not document the rule; `--metering both` shows the busy-period bill too.".into(),
        },
        Note::TimeZone { name } => match name {
            None => "Times of day (`window`, `days`) are read in UTC; set `timezone` to read them in local time.".into(),
            Some(tz) => format!(
                "Times of day (`window`, `days`) are read in {tz}, daylight saving time included; usage limits count UTC days."
            ),
        },
        Note::LimitsSpareSyncs => "A deactivate usage limit turns away the users' queries only: zero-ETL refreshes keep running (an assumption; AWS does not say).".into(),
        Note::RangesAtMedian { inputs } => format!(
            "{} given as a range: this run takes {} at its median ({}); `--runs N` gives the spread of the month.",
            if inputs.len() == 1 { "One input is" } else { "Some inputs are" },
            if inputs.len() == 1 { "it" } else { "each" },
            inputs
                .iter()
                .map(|(name, p5, p95)| format!(
                    "{name} {} from p5 {} to p95 {}",
                    num((p5 * p95).sqrt()),
                    num(*p5),
                    num(*p95)
                ))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use redshift_cost_core::units::GB_PER_TB;

    #[test]
    fn numbers_in_notes_are_grouped_without_trailing_zeros() {
        assert_eq!(num(1234.5), "1,234.5");
        assert_eq!(num(10.0), "10");
        let n = Note::SnapshotCopy {
            region: "us-west-2".into(),
            first_copy_gb: 2.0 * GB_PER_TB,
        };
        assert_eq!(
            sentence(&n),
            "Snapshot copy to us-west-2: each day's changes are transferred; the first full copy (2,048 GB) is a one-off transfer, not in the period's bill."
        );
    }
}
