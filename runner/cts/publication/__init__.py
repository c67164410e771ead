"""Disclosure control of the public release, split by concern.

- :mod:`cts.publication.declaration`: the publication as declared in `dbt_project.yml`;
- :mod:`cts.publication.cells`: the published counts in long form, from the warehouse or the export;
- :mod:`cts.publication.relations`: every declared relation as linear rows;
- :mod:`cts.publication.solver`: exact feasibility intervals by linear programming (HiGHS);
- :mod:`cts.publication.protect`: primary and secondary suppression, audited by the solver;
- :mod:`cts.publication.report`: the checker's report on a public export.
"""
