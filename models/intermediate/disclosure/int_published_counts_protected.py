"""Every published count after the audit: the SQL rounds' suppressions plus the audit's changes.

The audit (cts.protection) plays the attacker of the disclosure checker on the published tables
(substitution, bounds from the flags, rank tests over every relation they obey) and, for each
suppressed count it can recover, withholds one more published count nearby, or flags a small
total COMPLEMENTARY instead of PRIMARY where that flag (at most the threshold) pins its parts,
until it recovers none (else `recoverable_after_audit` says how many are left and a test fails
the build). Restricted: it carries the true values.
"""

from cts.protection import COLUMNS, protect, published_tables


def model(dbt, session):
    dbt.config(materialized="table")
    threshold = int(dbt.config.get("suppression_threshold"))
    max_rounds = int(dbt.config.get("audit_rounds"))
    suppressed = dbt.ref("int_published_counts_suppressed")
    published = published_tables(suppressed.project(", ".join(COLUMNS)).fetchall(), threshold)
    protection = protect(published, max_rounds=max_rounds, log=print)
    if protection.added:
        rows = ", ".join(f"({number}, {round_})" for number, round_ in protection.added.items())
        audit = f"select * from (values {rows}) as audit (cell_number, audit_round)"
    else:
        audit = "select cast(null as bigint) as cell_number, 0 as audit_round where false"
    return suppressed.query(
        "suppressed",
        f"""
        select
            suppressed.cell_number,
            suppressed.cell_id,
            suppressed.mart,
            suppressed.measure,
            suppressed.period_type,
            suppressed.period_year,
            suppressed.agency_code,
            suppressed.category_code,
            suppressed.dimension,
            suppressed.dimension_value,
            suppressed.outcome_group,
            suppressed.exit_reason_code,
            suppressed.agency_program_code,
            suppressed.true_value,
            case
                when audit.cell_number is not null then 'COMPLEMENTARY'
                else suppressed.suppression
            end as suppression,
            cast(audit.audit_round as integer) as audit_round,
            case
                when audit.cell_number is null then suppressed.published_value
            end as published_value,
            {protection.residual} as recoverable_after_audit
        from suppressed
        left join ({audit}) as audit
            on suppressed.cell_number = audit.cell_number
        order by suppressed.cell_number
        """,
    )
