"""The business report as Markdown or as one self-contained HTML page.

Both renderers lay out the same :class:`~itvalue.report.Narrative`; neither adds words
of its own beyond markup, so the two always say the same thing. The HTML page also shows
the picture of the value graph, inline, and fetches nothing.
"""

from __future__ import annotations

from html import escape

from itvalue.report._figures import BusinessReport
from itvalue.report._narrative import Section, narrate

__all__ = ["CSS", "html_section", "markdown_section", "render_html", "render_markdown"]


def render_markdown(report: BusinessReport, _portfolio: object = None, /) -> str:
    """The report as Markdown.

    A second argument (the portfolio, which 0.1 needed) is accepted and ignored: the
    report holds every name it shows.

    Examples:
        >>> import itvalue
        >>> from itvalue.report import build_report
        >>> print(render_markdown(build_report(itvalue.example())).splitlines()[0])
        # What IT does for the customers of Northwind Retail
    """
    story = narrate(report)
    out = [f"# {story.title}", "", story.intro, ""]
    for section in story.sections:
        out += markdown_section(section)
    return "\n".join(out).rstrip() + "\n"


def markdown_section(section: Section) -> list[str]:
    out = [f"## {section.title}", ""]
    for paragraph in section.paragraphs:
        out += [paragraph, ""]
    if section.table is not None:
        headers = section.table.headers
        out.append("| " + " | ".join(headers) + " |")
        out.append("|" + "|".join("---" for _ in headers) + "|")
        out += [
            "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |"
            for row in section.table.rows
        ]
        out.append("")
    if section.bullets:
        out += [f"- {bullet}" for bullet in section.bullets]
        out.append("")
    if section.groups:
        for group in section.groups:
            out.append(f"- **{group.title}** {group.text}")
            out += [f"  - {item}" for item in group.items]
        out.append("")
    for note in section.notes:
        out += [f"> {note}", ""]
    return out


CSS = """
body{font-family:Helvetica,Arial,sans-serif;max-width:60rem;margin:2rem auto;
 padding:0 1rem;color:#0f172a;line-height:1.45}
h1{font-size:1.7rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #cbd5e1}
table{border-collapse:collapse;margin:0.75rem 0}
th,td{border:1px solid #cbd5e1;padding:0.3rem 0.6rem;text-align:left}
th{background:#f1f5f9}.note{background:#fef9c3;padding:0.5rem 0.8rem;border-left:4px solid #eab308}
figure{overflow-x:auto;margin:1rem 0}figure svg{max-width:100%;height:auto}
figcaption{color:#475569;font-size:0.9rem}
"""


def render_html(report: BusinessReport, _portfolio: object = None, /) -> str:
    """The report as one self-contained HTML page, with a picture of the value graph.

    A second argument (the portfolio, which 0.1 needed) is accepted and ignored.

    Examples:
        >>> import itvalue
        >>> from itvalue.report import build_report
        >>> render_html(build_report(itvalue.example())).startswith("<!DOCTYPE html>")
        True
    """
    story = narrate(report)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(story.title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(story.title)}</h1>",
        f"<p>{escape(story.intro)}</p>",
        "<figure>",
        story.picture,
        f"<figcaption>{escape(story.caption)}</figcaption></figure>",
    ]
    for section in story.sections:
        out += html_section(section)
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def html_section(section: Section) -> list[str]:
    out = [f"<h2>{escape(section.title)}</h2>"]
    out += [f"<p>{escape(p)}</p>" for p in section.paragraphs]
    if section.table is not None:
        out.append(
            "<table><thead><tr>"
            + "".join(f"<th>{escape(h)}</th>" for h in section.table.headers)
            + "</tr></thead><tbody>"
        )
        out += [
            "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
            for row in section.table.rows
        ]
        out.append("</tbody></table>")
    if section.bullets:
        out.append("<ul>" + "".join(f"<li>{escape(b)}</li>" for b in section.bullets) + "</ul>")
    if section.groups:
        out.append("<ul>")
        for group in section.groups:
            inner = "".join(f"<li>{escape(i)}</li>" for i in group.items)
            out.append(
                f"<li><strong>{escape(group.title)}</strong> {escape(group.text)}"
                f"<ul>{inner}</ul></li>"
            )
        out.append("</ul>")
    out += [f'<p class="note">{escape(n)}</p>' for n in section.notes]
    return out
