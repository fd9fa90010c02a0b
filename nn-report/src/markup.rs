//! A page as a list of blocks, written out as Markdown (`report.md`) or HTML (`index.html`):
//! the two files say the same thing because both are made from the same blocks.

pub enum Block {
    Heading(String),
    Subheading(String),
    Paragraph(String),
    /// A picture by relative path, with its alternative text; it links to itself, so a click
    /// shows it at full size.
    Image {
        src: String,
        alt: String,
    },
    /// The first `text_columns` columns are left-aligned, the others (numbers) right-aligned.
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
        text_columns: usize,
    },
    List(Vec<String>),
    /// A list of links to other pages: each item's text, and the page as Markdown and as
    /// HTML (`a/report.md`, `a/index.html`), so each file links to its own kind.
    Links(Vec<Link>),
}

pub struct Link {
    pub text: String,
    pub markdown: String,
    pub html: String,
}

pub fn markdown(title: &str, blocks: &[Block]) -> String {
    let mut out = format!("# {title}\n");
    for block in blocks {
        out.push('\n');
        match block {
            Block::Heading(text) => out += &format!("## {text}\n"),
            Block::Subheading(text) => out += &format!("### {text}\n"),
            Block::Paragraph(text) => out += &format!("{text}\n"),
            Block::Image { src, alt } => out += &format!("[![{alt}]({src})]({src})\n"),
            Block::Table {
                header,
                rows,
                text_columns,
            } => {
                let line = |cells: &[String]| {
                    let cells: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
                    format!("| {} |\n", cells.join(" | "))
                };
                out += &line(header);
                let rule: Vec<String> = (0..header.len())
                    .map(|i| {
                        if i < *text_columns {
                            "---".into()
                        } else {
                            "---:".into()
                        }
                    })
                    .collect();
                out += &format!("|{}|\n", rule.join("|"));
                for row in rows {
                    out += &line(row);
                }
            }
            Block::List(items) => {
                for item in items {
                    out += &format!("- {item}\n");
                }
            }
            Block::Links(links) => {
                for link in links {
                    out += &format!("- [{}]({})\n", link.text, link.markdown);
                }
            }
        }
    }
    out
}

pub fn html(title: &str, blocks: &[Block]) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{0}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{0}</h1>\n",
        escape(title)
    );
    for block in blocks {
        match block {
            Block::Heading(text) => out += &format!("<h2>{}</h2>\n", escape(text)),
            Block::Subheading(text) => out += &format!("<h3>{}</h3>\n", escape(text)),
            Block::Paragraph(text) => out += &format!("<p>{}</p>\n", escape(text)),
            Block::Image { src, alt } => {
                out += &format!(
                    "<p><a href=\"{0}\"><img src=\"{0}\" alt=\"{1}\"></a></p>\n",
                    escape(src),
                    escape(alt)
                )
            }
            Block::Table {
                header,
                rows,
                text_columns,
            } => {
                let cell = |tag: &str, i: usize, text: &str| {
                    let align = if i < *text_columns { "left" } else { "right" };
                    format!(
                        "<{tag} style=\"text-align:{align}\">{}</{tag}>",
                        escape(text)
                    )
                };
                // Wide tables scroll sideways rather than squeeze their numbers onto two
                // lines.
                out += "<div class=\"table\"><table>\n<tr>";
                for (i, text) in header.iter().enumerate() {
                    out += &cell("th", i, text);
                }
                out += "</tr>\n";
                for row in rows {
                    out += "<tr>";
                    for (i, text) in row.iter().enumerate() {
                        out += &cell("td", i, text);
                    }
                    out += "</tr>\n";
                }
                out += "</table></div>\n";
            }
            Block::List(items) => {
                out += "<ul>\n";
                for item in items {
                    out += &format!("<li>{}</li>\n", escape(item));
                }
                out += "</ul>\n";
            }
            Block::Links(links) => {
                out += "<ul>\n";
                for link in links {
                    out += &format!(
                        "<li><a href=\"{}\">{}</a></li>\n",
                        escape(&link.html),
                        escape(&link.text)
                    );
                }
                out += "</ul>\n";
            }
        }
    }
    out + "</body>\n</html>\n"
}

/// Readable on screen and on paper: one column, pictures no wider than the page.
const STYLE: &str = "body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;\
line-height:1.45;color:#222}img{max-width:100%;height:auto;border:1px solid #ddd}\
div.table{overflow-x:auto;margin:1em 0}table{border-collapse:collapse}\
th,td{border:1px solid #ccc;padding:.3em .7em}td{white-space:nowrap}th{background:#f2f2f2}";

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Block> {
        vec![
            Block::Heading("Pictures".into()),
            Block::Image {
                src: "loss_curves.png".into(),
                alt: "loss".into(),
            },
            Block::Table {
                header: vec!["lr".into(), "a|b".into()],
                rows: vec![vec!["0.1".into(), "<1%".into()]],
                text_columns: 1,
            },
            Block::Links(vec![Link {
                text: "wide".into(),
                markdown: "wide/report.md".into(),
                html: "wide/index.html".into(),
            }]),
        ]
    }

    #[test]
    fn markdown_has_the_image_and_an_escaped_table() {
        let md = markdown("Report", &sample());
        assert!(md.starts_with("# Report\n"), "{md}");
        assert!(
            md.contains("[![loss](loss_curves.png)](loss_curves.png)"),
            "{md}"
        );
        assert!(
            md.contains("| lr | a\\|b |\n|---|---:|\n| 0.1 | <1% |"),
            "{md}"
        );
    }

    #[test]
    fn each_file_links_to_pages_of_its_own_kind() {
        assert!(markdown("R", &sample()).contains("- [wide](wide/report.md)\n"));
        assert!(html("R", &sample()).contains("<li><a href=\"wide/index.html\">wide</a></li>"));
    }

    #[test]
    fn html_escapes_text_and_links_the_image() {
        let html = html("R&D", &sample());
        assert!(html.contains("<h1>R&amp;D</h1>"), "{html}");
        assert!(
            html.contains(
                "<a href=\"loss_curves.png\"><img src=\"loss_curves.png\" alt=\"loss\"></a>"
            ),
            "{html}"
        );
        assert!(
            html.contains("<td style=\"text-align:right\">&lt;1%</td>"),
            "{html}"
        );
    }
}
