#!/usr/bin/env python3
"""The Python prometheus_client parser doing what the vigil side of the benchmark does.

  python_peer.py parse PAGE                  parse the page, count samples
  python_peer.py p95 PAGE                    parse + P95 of every classic histogram series
  python_peer.py increase METRIC PAGE0 PAGE1 parse two scrapes, sum METRIC's buckets by le in
                                             each, P95 of the increase (the check's increase mode)

Quantiles follow Prometheus's bucketQuantile, so the figures can be checked against vigil's.
Prints one line of results; the benchmark driver times the whole process.
"""
import math
import sys

from prometheus_client.parser import text_string_to_metric_families


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def almost_equal(a, b, eps):
    if a == b:
        return True
    min_normal = 2.2250738585072014e-308
    abs_sum, diff = abs(a) + abs(b), abs(a - b)
    if a == 0 or b == 0 or abs_sum < min_normal:
        return diff < eps * min_normal
    return diff / min(abs_sum, sys.float_info.max) < eps


def bucket_quantile(q, buckets):
    """Prometheus promql/quantile.go bucketQuantile on [(upper_bound, cumulative_count)]."""
    if math.isnan(q):
        return math.nan
    if q < 0:
        return -math.inf
    if q > 1:
        return math.inf
    b = sorted((ub, c) for ub, c in buckets if not math.isnan(ub))
    if not b or b[-1][0] != math.inf:
        return math.nan
    merged = []
    for ub, c in b:
        if merged and merged[-1][0] == ub:
            merged[-1][1] += c
        else:
            merged.append([ub, c])
    prev = merged[0][1]
    for item in merged[1:]:
        curr = item[1]
        if curr == prev:
            continue
        if almost_equal(prev, curr, 1e-12) or curr < prev:
            item[1] = prev
            continue
        prev = curr
    if len(merged) < 2 or merged[-1][1] == 0:
        return math.nan
    rank = q * merged[-1][1]
    i = 0
    while i < len(merged) - 1 and merged[i][1] < rank:
        i += 1
    if i == len(merged) - 1:
        return merged[-2][0]
    if i == 0 and merged[0][0] <= 0:
        return merged[0][0]
    start, end, count = 0.0, merged[i][0], merged[i][1]
    if i > 0:
        start = merged[i - 1][0]
        count -= merged[i - 1][1]
        rank -= merged[i - 1][1]
    return start + (end - start) * (rank / count)


def parse(path):
    n = 0
    for family in text_string_to_metric_families(read(path)):
        n += len(family.samples)
    print(f"{n} samples")


def p95_every(path):
    samples = histograms = 0
    checksum = 0.0
    for family in text_string_to_metric_families(read(path)):
        samples += len(family.samples)
        if family.type != "histogram":
            continue
        series = {}
        for s in family.samples:
            if not s.name.endswith("_bucket"):
                continue
            key = tuple(sorted((k, v) for k, v in s.labels.items() if k != "le"))
            series.setdefault(key, []).append((float(s.labels["le"]), s.value))
        for buckets in series.values():
            v = bucket_quantile(0.95, buckets)
            histograms += 1
            if math.isfinite(v):
                checksum += v
    print(f"{samples} samples, {histograms} histograms, p95 checksum {checksum:.9g}")


def summed_buckets(path, metric):
    by_le, count = {}, 0.0
    for family in text_string_to_metric_families(read(path)):
        if family.name != metric:
            continue
        for s in family.samples:
            if s.name == metric + "_bucket":
                le = float(s.labels["le"])
                by_le[le] = by_le.get(le, 0.0) + s.value
            elif s.name == metric + "_count":
                count += s.value
    return by_le, count


def increase(metric, page0, page1):
    b0, c0 = summed_buckets(page0, metric)
    b1, c1 = summed_buckets(page1, metric)
    reset = c1 < c0 or set(b0) != set(b1) or any(b1[le] < b0[le] for le in b1)
    delta = b1 if reset else {le: b1[le] - b0[le] for le in b1}
    window = c1 if reset else c1 - c0
    print(f"p95 {bucket_quantile(0.95, list(delta.items())):.9g} over {window:.15g} observations")


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "parse":
        parse(sys.argv[2])
    elif len(sys.argv) >= 3 and sys.argv[1] == "p95":
        p95_every(sys.argv[2])
    elif len(sys.argv) >= 5 and sys.argv[1] == "increase":
        increase(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
