"""Certificates of non-disclosure: the complementary suppression of the public marts.

For every count from 1 to the threshold, a small set of changes to published counts that
keeps every relation the marts obey and every bound the suppression flags reveal (PRIMARY:
1..threshold, any count >= 0). The cells a certificate changes are withheld; since the true
table and the changed one explain the publication equally well, no suppressed count can be
recovered. The search (runner/cts/cell_suppression.py) is combinatorial, hence Python; the
result is plain rows, checked in SQL by assert_suppression_is_certified.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    from cts.cell_suppression import choose

    threshold = int(dbt.config.meta_get("suppression_threshold"))
    counts = dbt.ref("int_published_counts").order("cell_number")
    columns = counts.select(
        "cell_number, mart, measure, period_type, period_year, agency_code, category_code,"
        " dimension, dimension_value, outcome_group, exit_reason_code, true_value"
    ).fetchnumpy()
    result = choose(columns, threshold)
    return {
        "certificate": result["certificate"],
        "cell_number": result["cell_number"],
        "change": result["change"],
    }
