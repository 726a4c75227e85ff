"""One module per section of the two documents: each builds its section's
views (frozen dataclasses the templates read) from what ``report.data``
read and the protected figures of ``report.protected``.

=================  ====================================  =====================================
module             regional report (regional/...)         authority summary (authority/...)
=================  ====================================  =====================================
``title``          title page (shared/title_page.html)    title page
``summary``        1 Summary of key findings              1 Summary of local findings
``cohort``         2 The children in the research         2 The children screened
``aces``           3 Adverse childhood experiences
``adversity``      4 Wider adversity, 5 Attachment and
                   resilience
``groups``         6 Specific groups of children
``differences``    7 Differences between strata and       5 Differences from the region
                   between sexes
``comparison``                                            3 Key figures, 4 Every item beside
                                                          the region
``method``         9 Method and data quality              6 Completeness, 8 About these figures
=================  ====================================  =====================================

Case stories (regional 8, summary 7) are the approved pen-pictures, chosen
by ``report.pen_pictures``. ``report.context`` puts the sections and the
stories together into each document's context.
"""
