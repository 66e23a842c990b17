import re

from django.utils.safestring import SafeString

from metrics.charts import SENTIMENT_CLASSES, bar_chart, line_chart

XSS = "<script>alert(1)</script>"


def test_line_chart_draws_the_series_and_the_target_line():
    svg = line_chart(
        [("Median (h)", [3.0, 9.0, None, 4.0])],
        target=7.0,
        labels=["Nov 02", "Nov 09", "Nov 16", "Nov 23"],
        title="Weekly median",
    )
    assert isinstance(svg, SafeString)
    assert svg.startswith("<svg")
    assert '<line class="target"' in svg
    # The legend is HTML after the chart (it wraps and keeps the page's text size on a phone): the series and the
    # target are named there, each beside its colour key.
    chart, legend = svg.split("</svg>", 1)[0], svg[svg.index('<ul class="chart-legend">') :]
    assert "Median (h)" not in chart.replace("<title>Median (h)", "")
    assert re.findall(r"</svg>([^<]+)</li>", legend) == ["Median (h)", "target 7.0 h"]
    assert legend.endswith("</ul>")
    # the None week breaks the line: one polyline for the first two points, the last point stays a dot
    assert svg.count('<polyline class="line s0"') == 1
    assert svg.count('<circle class="dot s0"') == 3
    assert "<title>Weekly median</title>" in svg


def test_line_chart_without_target_or_data_still_renders():
    svg = line_chart([("Median (h)", [])], labels=[], title="Empty")
    assert "<svg" in svg and 'class="target"' not in svg


def test_bar_chart_marks_release_days():
    svg = bar_chart(
        [("Created", [1, 5, 2]), ("Replied", [1, 4, 2]), ("Solved", [0, 3, 1])],
        labels=["Nov 21", "Nov 22", "Nov 23"],
        marked=[1],
        title="Daily activity",
    )
    assert svg.count('class="release-day"') == 1
    assert ">release</text>" in svg
    assert svg.count('<rect class="bar s0"') == 3 and svg.count('<rect class="bar s2"') == 3


def test_negative_values_draw_as_empty_bars():
    svg = bar_chart([("Change", [3, -2])], labels=["ci", "docs"], title="Tags")
    assert 'height="-' not in svg


def test_labels_titles_and_series_names_are_escaped():
    svg = bar_chart([(XSS, [1])], labels=[XSS], title=XSS, marker_label=XSS, marked=[0])
    svg += line_chart([(XSS, [1.0])], target=2.0, labels=[XSS], title=XSS, unit=XSS)
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg


def test_count_axes_have_whole_number_ticks_and_long_labels_are_cut_with_a_tooltip():
    from metrics.charts import bar_chart

    svg = str(bar_chart([("Change", [3, 1])], labels=["kubernetes-agent-proxy-ntlm", "ci"], title="Tags"))
    ticks = re.findall(r'<text class="tick"[^>]*>([^<]*)</text>', svg)
    assert ticks == ["0 ", "2 ", "4 "]  # 3 * 1.1 rounded up to a whole, even top: never "1.7" or "3.3"
    assert "<title>kubernetes-agent-proxy-ntlm</title>kubernetes-ag…" in svg
    hours = str(bar_chart([("Median", [1.5, 2.25])], labels=["a", "b"], title="Hours"))
    assert re.findall(r'<text class="tick"[^>]*>([^<]*)</text>', hours)[-1] != "2 "  # not whole: decimals kept


def test_named_bars_show_each_name_whole_and_escaped_and_size_bars_against_the_largest():
    from metrics.charts import hbar_list

    html = str(hbar_list([("kubernetes-agent-proxy-ntlm", 4), (XSS, 1)], title="Tags"))
    assert '<span class="hbar-label">kubernetes-agent-proxy-ntlm</span>' in html and "…" not in html
    assert "<script>" not in html and '<span class="hbar-label">&lt;script&gt;alert(1)&lt;/script&gt;</span>' in html
    assert re.findall(r'<rect x="0" y="0" width="([^"]+)"', html) == ["100.0", "25.0"]
    assert re.findall(r'<span class="hbar-value">([^<]+)</span>', html) == ["+4", "+1"]
    assert "nothing rose" in str(hbar_list([], title="Tags"))


def test_a_share_axis_stops_at_100_percent():
    """Share of voice at 100 % for us drew its axis to "110.0 %"; a share's axis ends at 100 %, the line at the top."""
    chart = line_chart([("Us", [100.0, 100.0, 60.0])], labels=["a", "b", "c"], title="Share", unit="%")
    ticks = re.findall(r'class="tick"[^>]*>([^<]*)<', chart)
    assert ticks[-1].strip() == "100.0 %"
    hours = line_chart([("Median", [10.0])], labels=["a"], title="Hours", unit="h")
    assert re.findall(r'class="tick"[^>]*>([^<]*)<', hours)[-1].strip() == "11.0 h"  # other units keep the headroom


def test_sentiment_series_take_their_meaning_colours_not_the_series_order():
    """Share of voice's sentiment bars drew negative in the third series' green; sentiment charts name their tones."""
    chart = bar_chart(
        [("Positive", [3]), ("Neutral", [2]), ("Negative", [1])], labels=["Us"], title="t", classes=SENTIMENT_CLASSES
    )
    assert re.findall(r'class="bar (\w+)"', chart) == ["good", "neutral", "bad"]
    assert re.findall(r'class="swatch (\w+)"', chart) == ["good", "neutral", "bad"]
    plain = bar_chart([("A", [1]), ("B", [1])], labels=["x"], title="t")
    assert re.findall(r'class="bar (\w+)"', plain) == ["s0", "s1"]
