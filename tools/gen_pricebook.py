#!/usr/bin/env python3
"""Generate data/pricebook.json, the price book compiled into redshift-cost.

Inputs (read-only reference material, not shipped with the crate):
  <shared>/data/aws-pricing/aws-pricingpage-redshift-2025-03-19.json
      The AWS pricing page's data file for Redshift (34 regions). Labeled rows give node
      on-demand prices, concurrency-scaling per-node-second prices, the Serverless RPU-hour
      and the inter-region transfer rate.
  <shared>/data/aws-pricing/aws-pricingpage-redshift-reserved-2025-03-19.json
      The pricing page's reserved-node data (meteredUnitMaps/redshift-reservedinstance):
      one entry per '<term>-<purchase option>-<region code>', each row a node type's
      published hourly rate ("price") and upfront fee ("riupfront:PricePerUnit") with its
      on-demand rate. Written to each region's `reserved_nodes` as published (hourly and
      upfront per node), so that a reserved cluster is billed at AWS's own rate rather
      than at a rounded discount; the on-demand rates are cross-checked with the page data.
  <shared>/docs/pricing-research.md, Appendix A
      One row per region: the region code <-> location mapping, RMS, backup tiers and
      Spectrum (unlabeled SKUs in the page data, classified by value pattern), plus the
      RPU-hour from a Price List API snapshot of 2026-09-21.

The script cross-checks the page data against Appendix A wherever both have a value and
exits non-zero on any mismatch. Output is pretty-printed with a fixed key order, so a
regeneration from the same inputs is byte-identical.

Usage: python3 tools/gen_pricebook.py [--shared DIR] [--out FILE] [--check]
Standard library only.
"""

import argparse
import json
import re
import sys
from decimal import Decimal
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PAGE_FILE = Path("data/aws-pricing/aws-pricingpage-redshift-2025-03-19.json")
RESERVED_FILE = Path("data/aws-pricing/aws-pricingpage-redshift-reserved-2025-03-19.json")
RESERVED_LABEL = "AWS pricing page reserved nodes 2025-03-19"
# Reserved file entry names -> term keys.
RESERVED_ENTRY_TERMS = {
    ("1 year", "No Upfront"): "1yr-no-upfront",
    ("1 year", "Partial Upfront"): "1yr-partial-upfront",
    ("1 year", "All Upfront"): "1yr-all-upfront",
    ("3 year", "No Upfront"): "3yr-no-upfront",
    ("3 year", "Partial Upfront"): "3yr-partial-upfront",
    ("3 year", "All Upfront"): "3yr-all-upfront",
}
RESEARCH_FILE = Path("docs/pricing-research.md")

FORMAT_VERSION = 1
PAGE_DATE = "2025-03-19"
PAGE_LABEL = "AWS pricing page 2025-03-19"
SNAPSHOT_DATE = "2026-09-21"
SNAPSHOT_LABEL = "AWS Price List API snapshot 2026-09-21"

# Backup (snapshot) storage tiers, GB: [0, 50 TB), [50 TB, 500 TB), [500 TB, inf).
BACKUP_TIER_BEGINS = [0, 51200, 512000]
# Page-data rate codes of the three backup tiers (same SKU, one rate code per tier).
BACKUP_TIER_RATE_CODES = ["PGHJ3S3EYE", "D42MF2PVJS", "PXJDJ3YRG3"]

# Regions that Appendix A lists without a location (they are not in the 2025-03-19 page
# data). Names as the AWS Price List spells them.
EXTRA_LOCATIONS = {
    "ap-east-2": "Asia Pacific (Taipei)",
    "ap-southeast-6": "Asia Pacific (New Zealand)",
}

# Reservation discounts, fractions of the on-demand rate.
SERVERLESS_RESERVED = {
    "1yr-no-upfront": 0.2,
    "1yr-all-upfront": 0.24,
    "3yr-no-upfront": 0.45,
    "3yr-all-upfront": 0.5,
}
SERVERLESS_RESERVED_NOTE = (
    "1yr no upfront 20 %, 1yr all upfront 24 % (AWS blog); 3yr no upfront 45 % "
    "(launched 2026-02); 3yr all upfront 50 % derived from the ap-southeast-1 Price List "
    "reserved terms (5,913 USD upfront per RPU = 0.225/h vs 0.45 on demand). No partial "
    "upfront option is documented for Serverless reservations."
)
NODE_RESERVED = {
    "1yr-no-upfront": 0.3,
    "1yr-partial-upfront": 0.33,
    "1yr-all-upfront": 0.34,
    "3yr-no-upfront": 0.565,
    "3yr-partial-upfront": 0.605,
    "3yr-all-upfront": 0.625,
}
NODE_RESERVED_NOTE = (
    "Effective discount (hourly + upfront spread over the term) of RA3 reserved nodes; "
    "checked against the page data's reserved rates of every region."
)
# Page-data offer-term codes of reserved nodes -> (term key, years).
RESERVED_TERM_CODES = {
    "4NA7Y494T4": ("1yr-no-upfront", 1),
    "HU7G6KETJZ": ("1yr-partial-upfront", 1),
    "6QCMYABX3D": ("1yr-all-upfront", 1),
    "BPH4J8HBKS": ("3yr-no-upfront", 3),
    "38NPMPTW36": ("3yr-partial-upfront", 3),
    "NQ3QZPMQV9": ("3yr-all-upfront", 3),
}
HOURLY_RATE = "6YS6EN2CT7"
UPFRONT_RATE = "2TG2D8R56U"
RESERVED_TOLERANCE = 0.005

# Prices of the services around Redshift (Athena, Lambda, S3, SageMaker, Redshift ML), from
# section 3-4 of the research note. Only the regions the note gives a price for are listed:
# a price that is not known is absent. Each entry: key -> (usd, source label, unverified).
RESEARCH_LABEL = "pricing-research.md section 3-4"
UNVERIFIED_LABEL = "not confirmed by a stored source (research note: UNCONFIRMED)"
EXTRA_PRICES = {
    "us-east-1": {
        "athena_tb": (5.0, "pricing-research.md 3.1 (Athena, us-east-1)", False),
        "lambda_request": (0.0000002, "AWS whitepaper How AWS Pricing Works: Lambda", False),
        "lambda_gb_second": {
            "x86": (0.0000166667, "AWS whitepaper How AWS Pricing Works: Lambda", False),
            "arm": (0.0000133334, "pricing-research.md 4 (Lambda Arm, us-east-1)", False),
        },
        "s3_gb_month": (0.023, "pricing-research.md 4 (S3 Standard first 50 TB)", False),
        # SageMaker on-demand instance-hours: ml.m5.large is the note's (UNCONFIRMED) figure;
        # the others are list prices not in any stored source.
        "sagemaker_instance_hour": {
            "ml.m5.large": (0.115, UNVERIFIED_LABEL, True),
            "ml.m5.xlarge": (0.23, UNVERIFIED_LABEL, True),
            "ml.m5.2xlarge": (0.461, UNVERIFIED_LABEL, True),
            "ml.m5.4xlarge": (0.922, UNVERIFIED_LABEL, True),
            "ml.c5.xlarge": (0.204, UNVERIFIED_LABEL, True),
            "ml.c5.2xlarge": (0.408, UNVERIFIED_LABEL, True),
            "ml.c5.4xlarge": (0.816, UNVERIFIED_LABEL, True),
        },
        # Redshift ML (SageMaker Autopilot) training, USD per million cells, tiers from 0,
        # 10 and 100 million cells: UNCONFIRMED in the note ("commonly quoted").
        "ml_million_cells_tiers": [
            (0, 10, 20.0),
            (10, 100, 15.0),
            (100, None, 7.0),
        ],
    },
    "ap-southeast-1": {
        "athena_tb": (5.0, "pricing-research.md 3.1 (APS1-DataScannedInTB)", False),
        "s3_gb_month": (0.025, "pricing-research.md 4 (APS1-TimedStorage-ByteHrs)", False),
    },
    "ap-northeast-1": {
        "s3_gb_month": (0.025, UNVERIFIED_LABEL, True),
    },
}


def extra_price(usd, label, unverified):
    out = {"usd": usd, "as_of": PAGE_DATE, "source": label}
    if unverified:
        out["unverified"] = True
    return out


def add_extra_prices(code, region):
    extra = EXTRA_PRICES.get(code, {})
    for key in ["athena_tb", "lambda_request", "s3_gb_month"]:
        if key in extra:
            region[key] = extra_price(*extra[key])
    for key in ["lambda_gb_second", "sagemaker_instance_hour"]:
        if key in extra:
            region[key] = {k: extra_price(*v) for k, v in sorted(extra[key].items())}
    if "ml_million_cells_tiers" in extra:
        region["ml_million_cells_tiers"] = [
            {"begin": b, "end": e, "price": extra_price(usd, UNVERIFIED_LABEL, True)}
            for b, e, usd in extra["ml_million_cells_tiers"]
        ]


DESCRIPTION = (
    "Bundled Redshift price book: AWS pricing page data of 2025-03-19 (Serverless RPU-hour "
    "from a 2026-09-21 Price List API snapshot where the page has none)"
)

LABEL_RPU = "Redshift Serverless compute charges per RPU-Hr"
LABEL_INTER_REGION = "Redshift Inter Region Data Transfer Charges In To"
RE_NODE = re.compile(r"^(\w+) (\w+) OnDemand Compute Instance Current Generation$")
RE_CS = re.compile(r"^(\w+) (\w+) Redshift Concurrency Scaling Current Generation .+$")

# Appendix A header cells -> our column names.
APPENDIX_COLUMNS = {
    "region": "region",
    "location": "location",
    "RPU-hr (page 2025-03)": "rpu_page",
    "RPU-hr (lakebridge 2026-09)": "rpu_snapshot",
    "RMS GB-mo": "rms",
    "Backup GB-mo tiers (≤50TB / next 450TB / >500TB)": "backup",
    "Spectrum $/TB": "spectrum",
    "ra3.large": "ra3.large",
    "ra3.xlplus": "ra3.xlplus",
    "ra3.4xlarge": "ra3.4xlarge",
    "ra3.16xlarge": "ra3.16xlarge",
    "dc2.large": "dc2.large",
    "dc2.8xlarge": "dc2.8xlarge",
    "inter-region $/GB": "inter_region",
}
APPENDIX_NODE_TYPES = ["ra3.large", "ra3.xlplus", "ra3.4xlarge", "ra3.16xlarge", "dc2.large", "dc2.8xlarge"]
ABSENT = {"–", "-", ""}


class DataError(Exception):
    pass


def num(text):
    """A decimal string as a float with the shortest round-tripping repr."""
    value = Decimal(text.strip())
    if value <= 0:
        raise DataError(f"non-positive price {text!r}")
    return float(value)


def same(a, b):
    return Decimal(repr(a)) == Decimal(repr(b))


def price(usd, snapshot=False):
    return {
        "usd": usd,
        "as_of": SNAPSHOT_DATE if snapshot else PAGE_DATE,
        "source": SNAPSHOT_LABEL if snapshot else PAGE_LABEL,
    }


# ---------------------------------------------------------------------------------------
# Appendix A


def parse_appendix(text):
    start = text.find("## Appendix A")
    if start < 0:
        raise DataError("pricing-research.md: no '## Appendix A' section")
    lines = [ln.strip() for ln in text[start:].splitlines()]
    table = [ln for ln in lines if ln.startswith("|")]
    if len(table) < 3:
        raise DataError("Appendix A: table not found")
    header = [c.strip() for c in table[0].strip("|").split("|")]
    cols = {}
    for i, h in enumerate(header):
        if h in APPENDIX_COLUMNS:
            cols[APPENDIX_COLUMNS[h]] = i
    missing = set(APPENDIX_COLUMNS.values()) - set(cols)
    if missing:
        raise DataError(f"Appendix A: header lacks columns {sorted(missing)}; header = {header}")
    rows = {}
    for line in table[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) != len(header):
            raise DataError(f"Appendix A: row has {len(cells)} cells, header {len(header)}: {line}")
        row = {name: cells[i] for name, i in cols.items()}
        code = row["region"]
        if code in rows:
            raise DataError(f"Appendix A: duplicate region {code}")
        rows[code] = row
    return rows


def cell_num(row, col):
    text = row[col]
    if text in ABSENT:
        return None
    try:
        return num(text)
    except Exception as e:
        raise DataError(f"Appendix A {row['region']} {col}: bad number {text!r}: {e}") from e


def cell_tiers(row):
    text = row["backup"]
    if text in ABSENT:
        return None
    parts = [p.strip() for p in text.split("/")]
    if len(parts) != len(BACKUP_TIER_BEGINS):
        raise DataError(f"Appendix A {row['region']}: backup tiers {text!r}")
    return [num(p) for p in parts]


# ---------------------------------------------------------------------------------------
# Pricing-page data


def labeled(rows):
    """(rpu, inter_region, node_hour{}, cs{}) from one location's labeled rows."""
    rpu = inter = None
    nodes, cs = {}, {}

    def put(table, key, value, label):
        if key in table and not same(table[key], value):
            raise DataError(f"conflicting labeled rows for {key}: {table[key]} vs {value} ({label})")
        table[key] = value

    for label, row in rows.items():
        if label == LABEL_RPU:
            rpu = num(row["price"])
        elif label == LABEL_INTER_REGION:
            inter = num(row["price"])
        elif m := RE_NODE.match(label):
            node_type = f"{m.group(1)}.{m.group(2)}"
            check_instance_type(row, node_type, label)
            put(nodes, node_type, num(row["price"]), label)
        elif m := RE_CS.match(label):
            node_type = f"{m.group(1)}.{m.group(2)}"
            check_instance_type(row, node_type, label)
            put(cs, node_type, num(row["price"]), label)
    return rpu, inter, nodes, cs


def check_instance_type(row, node_type, label):
    if row.get("Instance Type") != node_type:
        raise DataError(f"label {label!r} but Instance Type {row.get('Instance Type')!r}")


def backup_tiers_from_page(rows):
    """Backup tier prices by rate code, if the location has the backup SKU."""
    found = {}
    for row in rows.values():
        parts = row["rateCode"].split(".")
        if len(parts) == 3 and parts[2] in BACKUP_TIER_RATE_CODES:
            found.setdefault(parts[0], {})[parts[2]] = Decimal(row["price"])
    full = [v for v in found.values() if len(v) == len(BACKUP_TIER_RATE_CODES)]
    if len(full) != 1:
        return None
    return [float(full[0][c]) for c in BACKUP_TIER_RATE_CODES]


def labeled_rate_codes(rows):
    return {row["rateCode"] for label, row in rows.items() if " " in label}


def ra3_storage_prices(rows):
    """Prices of the unlabeled per-RA3-node-type managed-storage SKUs (GB-month).

    They carry an RA3 `Instance Type` but no hardware fields, are on-demand usage rates and
    are not the rate code of any labeled (concurrency-scaling) row.
    """
    labeled_codes = labeled_rate_codes(rows)
    found = set()
    for row in rows.values():
        parts = row["rateCode"].split(".")
        if (
            row.get("Instance Type", "").startswith("ra3.")
            and not row.get("Memory")
            and parts[1:] == ["JRTCKXETXF", HOURLY_RATE]
            and row["rateCode"] not in labeled_codes
            and Decimal(row["price"]) > 0
        ):
            found.add(float(row["price"]))
    return found


def unlabeled_plain_prices(rows):
    """Prices of unlabeled on-demand SKUs that have no instance type (RMS, Spectrum, ...)."""
    labeled_codes = labeled_rate_codes(rows)
    return {
        float(row["price"])
        for row in rows.values()
        if not row.get("Instance Type")
        and row["rateCode"].split(".")[1:] == ["JRTCKXETXF", HOURLY_RATE]
        and row["rateCode"] not in labeled_codes
    }


def check_reserved_nodes(location, rows):
    """Compare every RA3 reserved rate in the page data with NODE_RESERVED.

    Returns (rates checked, mismatch messages). The page data has a few odd reserved rows
    (rounding on small nodes, a 3yr partial-upfront row repeating the no-upfront rate), so
    mismatches are reported as warnings; main() fails only if they are more than a few.
    """
    checked, mismatches = 0, []
    for label, row in sorted(rows.items()):
        m = RE_NODE.match(label)
        if not m or m.group(1) != "ra3":
            continue
        od = float(row["price"])
        sku = row["rateCode"].split(".")[0]
        by_term = {}
        for r in rows.values():
            parts = r["rateCode"].split(".")
            if len(parts) == 3 and parts[0] == sku and parts[1] in RESERVED_TERM_CODES:
                by_term.setdefault(parts[1], {})[parts[2]] = float(r["price"])
        for code, rates in sorted(by_term.items(), key=lambda kv: RESERVED_TERM_CODES[kv[0]]):
            term, years = RESERVED_TERM_CODES[code]
            effective = rates.get(HOURLY_RATE, 0.0) + rates.get(UPFRONT_RATE, 0.0) / (years * 8760)
            discount = 1 - effective / od
            checked += 1
            if abs(discount - NODE_RESERVED[term]) > RESERVED_TOLERANCE:
                mismatches.append(
                    f"{location} {m.group(1)}.{m.group(2)} (on demand {od}) {term}: "
                    f"page data implies {discount:.4f}, table {NODE_RESERVED[term]}"
                )
    return checked, mismatches


def published_reserved_nodes(reserved):
    """{region code: [rate, ...]} from the reserved-node page data, each rate
    {product, term, hourly_usd, upfront_usd, on_demand} as published."""
    out = {}
    for name, entry in reserved["entries"].items():
        length, option, code = name.split("-", 2)
        term = RESERVED_ENTRY_TERMS.get((length, option))
        if term is None:
            raise DataError(f"reserved entry {name!r}: unknown term")
        if entry.get("manifest", {}).get("hawkFilePublicationDate", "")[:10] != PAGE_DATE:
            raise DataError(f"reserved entry {name!r} is not the {PAGE_DATE} publication")
        for rows in entry["regions"].values():
            for label, row in sorted(rows.items()):
                node_type = row.get("Instance Type", "")
                if not node_type or row.get("PurchaseOption") != option:
                    raise DataError(f"reserved entry {name!r} row {label!r}: unexpected fields")
                hourly = Decimal(row["price"])
                upfront = Decimal(row.get("riupfront:PricePerUnit", "0"))
                if hourly < 0 or upfront < 0 or (hourly == 0 and upfront == 0):
                    raise DataError(f"reserved {code} {node_type} {term}: no rate")
                out.setdefault(code, []).append({
                    "product": node_type,
                    "term": term,
                    "hourly_usd": float(hourly),
                    "upfront_usd": float(upfront),
                    "on_demand": float(Decimal(row["OnDemand:PricePerUnit"])),
                })
    return out


# ---------------------------------------------------------------------------------------


def build(shared):
    page = json.loads((shared / PAGE_FILE).read_text(encoding="utf-8"))
    published = published_reserved_nodes(
        json.loads((shared / RESERVED_FILE).read_text(encoding="utf-8"))
    )
    appendix = parse_appendix((shared / RESEARCH_FILE).read_text(encoding="utf-8"))
    if page.get("manifest", {}).get("hawkFilePublicationDate", "")[:10] != PAGE_DATE:
        raise DataError(f"page data is not the {PAGE_DATE} publication")

    by_location = {}
    for code, row in appendix.items():
        loc = row["location"]
        if loc not in page["regions"]:
            continue
        if loc in by_location:
            raise DataError(f"Appendix A: location {loc!r} used twice")
        by_location[loc] = code
    unmapped = sorted(set(page["regions"]) - set(by_location))
    if unmapped:
        raise DataError(f"page locations missing from Appendix A: {unmapped}")

    errors = []
    reserved_checked, reserved_mismatches = 0, []
    regions = {}
    for code in sorted(appendix):
        arow = appendix[code]
        loc = arow["location"]
        in_page = loc in page["regions"]
        if not in_page:
            if code not in EXTRA_LOCATIONS:
                raise DataError(f"{code}: location {loc!r} not in page data and no known name")
            loc = EXTRA_LOCATIONS[code]
        rows = page["regions"].get(arow["location"], {}) if in_page else {}
        rpu, inter, nodes, cs = labeled(rows)

        # Cross-checks: page vs Appendix A.
        a_rpu_page = cell_num(arow, "rpu_page")
        a_rpu_snap = cell_num(arow, "rpu_snapshot")
        if (rpu is None) != (a_rpu_page is None) or (rpu is not None and not same(rpu, a_rpu_page)):
            errors.append(f"{code}: RPU page {rpu} vs Appendix A {a_rpu_page}")
        if rpu is not None and a_rpu_snap is not None and not same(rpu, a_rpu_snap):
            errors.append(f"{code}: RPU page {rpu} vs snapshot {a_rpu_snap}")
        for node_type in APPENDIX_NODE_TYPES:
            a = cell_num(arow, node_type)
            p = nodes.get(node_type)
            if (a is None) != (p is None) or (p is not None and not same(p, a)):
                errors.append(f"{code}: {node_type} page {p} vs Appendix A {a}")
        extra = sorted(set(nodes) - set(APPENDIX_NODE_TYPES))
        if extra:
            errors.append(f"{code}: node types not in Appendix A: {extra}")
        a_inter = cell_num(arow, "inter_region")
        if (a_inter is None) != (inter is None) or (inter is not None and not same(inter, a_inter)):
            errors.append(f"{code}: inter-region page {inter} vs Appendix A {a_inter}")
        tiers = cell_tiers(arow)
        page_tiers = backup_tiers_from_page(rows)
        if tiers != page_tiers:
            errors.append(f"{code}: backup tiers Appendix A {tiers} vs page rate codes {page_tiers}")
        rms = cell_num(arow, "rms")
        storage = ra3_storage_prices(rows)
        if (storage or rms is not None) and storage != {rms}:
            errors.append(f"{code}: RMS Appendix A {rms} vs page RA3 storage SKUs {sorted(storage)}")
        spectrum = cell_num(arow, "spectrum")
        if spectrum is not None and spectrum not in unlabeled_plain_prices(rows):
            errors.append(f"{code}: Spectrum {spectrum} is not an unlabeled page price")
        checked, mismatches = check_reserved_nodes(code, rows)
        reserved_checked += checked
        reserved_mismatches += mismatches

        region = {"location": loc}
        if rpu is not None:
            region["rpu_hour"] = price(rpu)
        elif a_rpu_snap is not None:
            region["rpu_hour"] = price(a_rpu_snap, snapshot=True)
        if rms is not None:
            region["rms_gb_month"] = price(rms)
        if tiers is not None:
            region["backup_tiers"] = [
                {
                    "begin_gb": begin,
                    "end_gb": BACKUP_TIER_BEGINS[i + 1] if i + 1 < len(BACKUP_TIER_BEGINS) else None,
                    "price": price(usd),
                }
                for i, (begin, usd) in enumerate(zip(BACKUP_TIER_BEGINS, tiers))
            ]
        if spectrum is not None:
            region["spectrum_tb"] = price(spectrum)
        if nodes:
            region["node_hour"] = {t: price(nodes[t]) for t in sorted(nodes)}
        if cs:
            region["concurrency_scaling_node_second"] = {t: price(cs[t]) for t in sorted(cs)}
        if inter is not None:
            region["inter_region_gb"] = price(inter)
        rates = published.pop(code, [])
        for r in rates:
            od = nodes.get(r["product"])
            if od is None or not same(od, r["on_demand"]):
                errors.append(
                    f"{code}: reserved {r['product']} {r['term']} quotes on demand "
                    f"{r['on_demand']}, the page data {od}"
                )
        if rates:
            order = list(RESERVED_ENTRY_TERMS.values())
            region["reserved_nodes"] = [
                {
                    "product": r["product"],
                    "term": r["term"],
                    "hourly_usd": r["hourly_usd"],
                    "upfront_usd": r["upfront_usd"],
                    "as_of": PAGE_DATE,
                    "source": RESERVED_LABEL,
                }
                for r in sorted(rates, key=lambda r: (r["product"], order.index(r["term"])))
            ]
        add_extra_prices(code, region)
        regions[code] = region

    if published:
        errors.append(f"reserved-node data for regions not in the book: {sorted(published)}")
    if errors:
        raise DataError("cross-check failed:\n  " + "\n  ".join(errors))
    if reserved_checked == 0:
        raise DataError("no reserved-node rates found to check")
    for msg in reserved_mismatches:
        print(f"gen_pricebook: warning: reserved node: {msg}", file=sys.stderr)
    if len(reserved_mismatches) * 20 > reserved_checked:
        raise DataError(
            f"{len(reserved_mismatches)} of {reserved_checked} reserved-node rates disagree "
            "with the discount table"
        )

    return {
        "format_version": FORMAT_VERSION,
        "as_of": PAGE_DATE,
        "description": DESCRIPTION,
        "sources": [
            {"label": PAGE_LABEL, "as_of": PAGE_DATE, "file": str(PAGE_FILE)},
            {"label": RESERVED_LABEL, "as_of": PAGE_DATE, "file": str(RESERVED_FILE)},
            {"label": SNAPSHOT_LABEL, "as_of": SNAPSHOT_DATE, "file": str(RESEARCH_FILE) + " (Appendix A)"},
            {"label": RESEARCH_LABEL, "as_of": PAGE_DATE, "file": str(RESEARCH_FILE) + " (sections 3-4)"},
        ],
        "serverless_reserved": {"note": SERVERLESS_RESERVED_NOTE, "by_term": SERVERLESS_RESERVED},
        "node_reserved": {"note": NODE_RESERVED_NOTE, "by_term": NODE_RESERVED},
        "regions": regions,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO_ROOT.parent / "shared",
                        help="reference-material directory (default: ../shared from the repo root)")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "data" / "pricebook.json")
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if the output file differs from a fresh build")
    args = parser.parse_args()
    try:
        book = build(args.shared)
    except (DataError, OSError, KeyError, ValueError) as e:
        print(f"gen_pricebook: {e}", file=sys.stderr)
        return 2
    text = json.dumps(book, indent=2, ensure_ascii=False) + "\n"
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"gen_pricebook: {args.out} is out of date", file=sys.stderr)
            return 1
        print(f"gen_pricebook: {args.out} is up to date ({len(book['regions'])} regions)")
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"gen_pricebook: wrote {args.out} ({len(book['regions'])} regions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
