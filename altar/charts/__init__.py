"""Charts as functions of data: matplotlib figures drawn to SVG and PNG.

``bars`` draws the report's bar charts (prevalence, score bands, baseline and
group comparisons); ``timeline`` draws a child's chronology. Neither reads the
database or knows about reports: they take plain values; ``bars`` returns a
``Chart`` (SVG, PNG and alt text), ``timeline`` the image's bytes.
"""
