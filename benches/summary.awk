# Summarises target/bench/results.txt, lines of the form
#   RESULT impl=ref|ours pair=N scenario=S value=V unit=U ...
# into one row per scenario: median of each library, ours/ref of the medians
# and the min-max of the per-pair ratios ours/ref.

function median(arr, n,    i, j, t, a) {
    for (i = 1; i <= n; i++) a[i] = arr[i]
    for (i = 2; i <= n; i++)
        for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    if (n == 0) return 0
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}

# Numbers with thousands separators for readability.
function fmt(v) {
    if (v >= 1000) return sprintf("%.0f", v)
    if (v >= 100) return sprintf("%.0f", v)
    return sprintf("%.2f", v)
}

/^RESULT / {
    delete f
    for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    s = f["scenario"]
    if (!(s in unit)) { order[++ns] = s; unit[s] = f["unit"] }
    val[s, f["impl"], f["pair"]] = f["value"]
    if (f["pair"] > maxpair[s]) maxpair[s] = f["pair"]
}

END {
    printf "%-24s %-15s %13s %13s %9s  %-15s %s\n", "scenario", "unit", "reference", "ours", \
        "ours/ref", "pair ratios", "better"
    for (k = 1; k <= ns; k++) {
        s = order[k]
        nr = no = np = 0
        delete r; delete o
        lo = hi = ""
        for (p = 1; p <= maxpair[s]; p++) {
            hr = ((s, "ref", p) in val); ho = ((s, "ours", p) in val)
            if (hr) r[++nr] = val[s, "ref", p]
            if (ho) o[++no] = val[s, "ours", p]
            if (hr && ho && val[s, "ref", p] > 0) {
                q = val[s, "ours", p] / val[s, "ref", p]
                if (lo == "" || q < lo) lo = q
                if (hi == "" || q > hi) hi = q
            }
        }
        mr = median(r, nr); mo = median(o, no)
        better = (unit[s] == "us" || unit[s] ~ /^(KiB|bytes)/) ? "lower" : "higher"
        printf "%-24s %-15s %13s %13s %9.2f  %-15s %s\n", s, unit[s], fmt(mr), fmt(mo), \
            (mr > 0 ? mo / mr : 0), (lo == "" ? "-" : sprintf("%.2f-%.2f", lo, hi)), better
    }
}
