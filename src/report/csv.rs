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

pub(super) fn render(report: &Report) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let rows = std::iter::once(HEADER.map(String::from).to_vec()).chain(
        report.scenarios.iter().flat_map(|s| {
            let lines = s.components.iter().map(move |c| {
                vec![
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
                ]
            });
            let total = vec![
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
            lines.chain(std::iter::once(total))
        }),
    );
    for row in rows {
        w.write_record(&row).expect("writing to memory cannot fail");
    }
    w.into_inner().expect("writing to memory cannot fail")
}
