//! The docs cannot silently rot: every link in `docs/*.md` and `README.md` leads somewhere, every
//! code reference names an item defined where it points, and every chapter the code names exists.
//!
//! The rules, kept simple on purpose:
//!
//! 1. **Links.** A link is `[text](target)` or `![alt](target)` on one line, outside fenced code
//!    blocks and inline code spans. Targets starting with `http://`, `https://` or `mailto:`,
//!    and pure `#anchors`, are not checked. Any other target, with its `#fragment` removed, is a
//!    path relative to the Markdown file and must exist (a file or a folder).
//! 2. **Code references.** A link whose text is one backticked Rust path (`` `softmax` ``,
//!    `` `Mlp::backward` ``, any number of `::` segments) and whose target is a `.rs` file is a
//!    code reference: the file must define the path's last segment `NAME`, outside `//`
//!    comments, either as an item (`fn NAME`, `struct NAME`, `enum NAME`, `trait NAME`,
//!    `type NAME`, `const NAME`, `static NAME`, `mod NAME`, `union NAME`, `macro_rules! NAME`,
//!    with `NAME` ending at a character that cannot be part of an identifier) or as a field or
//!    enum variant (a line that, after its indentation and an optional `pub ` or `pub(crate) `,
//!    starts with `NAME:` but not `NAME::`, or with `NAME,` or `NAME {`). Tuple variants are
//!    not recognised: link their enum instead. If the segment before `NAME` starts with a
//!    capital letter (a type, as in `Mlp::backward`), the file must also define that type or
//!    hold an `impl` line naming it (a check per file, not per `impl` block). Rename a function
//!    and its references fail here.
//! 3. **Chapters named in the code.** Every `docs/NN-name.md` written in a `.rs` file of the
//!    workspace exists, except the chapters in [`PENDING`], which are announced but not written
//!    yet (once one exists, the test asks for it to be taken off the list).
//! 4. **The table of contents.** Every chapter `docs/NN-*.md` is linked from `docs/README.md`,
//!    and the top `README.md` links `docs/README.md`.
//!
//! The checker is a plain function over a Markdown text ([`check_markdown`]), so the last tests
//! feed it broken input and make sure it fails.

use std::fs;
use std::path::{Path, PathBuf};

/// Chapters the code already points to but that are written later, by their own issue. When
/// one lands: remove it from here and link it from `docs/README.md`.
const PENDING: &[&str] = &[];

/// The workspace's top folder.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("nn-core sits inside the workspace")
        .to_path_buf()
}

/// What checking one Markdown text found.
#[derive(Debug, Default)]
struct Report {
    /// Relative links whose target was checked (code references included).
    links: usize,
    /// Code references whose item was found in the target file.
    code_references: usize,
    errors: Vec<String>,
}

/// One link found in a Markdown text.
#[derive(Debug, PartialEq)]
struct Link {
    line: usize,
    text: String,
    target: String,
}

/// Checks every link of `text`, a Markdown file that lives (or would live) at `md_path`.
fn check_markdown(md_path: &Path, text: &str) -> Report {
    let mut report = Report::default();
    let dir = md_path.parent().expect("a Markdown file is in a folder");
    for link in links(text) {
        let target = link.target.as_str();
        if target.starts_with("http://")
            || target.starts_with("https://")
            || target.starts_with("mailto:")
            || target.starts_with('#')
        {
            continue;
        }
        let where_ = format!("{}:{}", md_path.display(), link.line);
        let file = target.split('#').next().unwrap_or(target);
        let path = dir.join(file);
        report.links += 1;
        if file.is_empty() || !path.exists() {
            report
                .errors
                .push(format!("{where_}: link target {target} does not exist"));
            continue;
        }
        let Some(rust_path) = code_reference(&link.text) else {
            continue;
        };
        if !file.ends_with(".rs") {
            continue;
        }
        let source = match fs::read_to_string(&path) {
            Ok(source) => source,
            Err(e) => {
                report
                    .errors
                    .push(format!("{where_}: cannot read {target}: {e}"));
                continue;
            }
        };
        match defines(&source, &rust_path) {
            Ok(()) => report.code_references += 1,
            Err(why) => report.errors.push(format!(
                "{where_}: [`{}`]({target}): {why}",
                rust_path.join("::")
            )),
        }
    }
    report
}

/// The links of a Markdown text, skipping fenced code blocks and inline code spans.
fn links(text: &str) -> Vec<Link> {
    let mut found = Vec::new();
    let mut fence: Option<&str> = None;
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let marker = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
        match (fence, marker) {
            (None, Some(m)) => {
                fence = Some(m);
                continue;
            }
            (Some(open), Some(m)) if open == m => {
                fence = None;
                continue;
            }
            (Some(_), _) => continue,
            (None, None) => {}
        }
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '`' => i = skip_code_span(&chars, i),
                '[' => match parse_link(&chars, i) {
                    Some((text, target, end)) => {
                        found.push(Link {
                            line: n + 1,
                            text,
                            target,
                        });
                        i = end;
                    }
                    None => i += 1,
                },
                _ => i += 1,
            }
        }
    }
    found
}

/// The index just past the code span opening at `start` (a run of backticks closed by a run
/// of the same length), or just past the backticks if the span is never closed.
fn skip_code_span(chars: &[char], start: usize) -> usize {
    let ticks = chars[start..].iter().take_while(|&&c| c == '`').count();
    let mut i = start + ticks;
    while i < chars.len() {
        if chars[i] == '`' {
            let run = chars[i..].iter().take_while(|&&c| c == '`').count();
            if run == ticks {
                return i + run;
            }
            i += run;
        } else {
            i += 1;
        }
    }
    start + ticks
}

/// `[text](target)` starting at `start`: the text, the target and the index past the `)`.
fn parse_link(chars: &[char], start: usize) -> Option<(String, String, usize)> {
    let mut i = start + 1;
    while i < chars.len() && chars[i] != ']' {
        match chars[i] {
            '[' => return None,
            '`' => i = skip_code_span(chars, i),
            _ => i += 1,
        }
    }
    if chars.get(i) != Some(&']') || chars.get(i + 1) != Some(&'(') {
        return None;
    }
    let text: String = chars[start + 1..i].iter().collect();
    let target_start = i + 2;
    let mut j = target_start;
    while j < chars.len() && chars[j] != ')' && !chars[j].is_whitespace() {
        j += 1;
    }
    if chars.get(j) != Some(&')') || j == target_start {
        return None;
    }
    let target: String = chars[target_start..j].iter().collect();
    Some((text, target, j + 1))
}

/// `` `Type::name` `` → `["Type", "name"]`; `None` unless the text is exactly one backticked
/// Rust path.
fn code_reference(text: &str) -> Option<Vec<String>> {
    let inner = text.strip_prefix('`')?.strip_suffix('`')?;
    let segments: Vec<String> = inner.split("::").map(str::to_string).collect();
    segments
        .iter()
        .all(|s| is_identifier(s))
        .then_some(segments)
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(is_ident_char)
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether `source` defines the last segment of `path` (and, for `Type::name`, mentions
/// `Type` in a definition or an `impl` line). Rule 2 of the module docs.
fn defines(source: &str, path: &[String]) -> Result<(), String> {
    let code: Vec<&str> = source
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect();
    let name = path.last().expect("at least one segment");
    if !code
        .iter()
        .any(|l| defines_item(l, name) || defines_member(l, name))
    {
        return Err(format!("the file defines no `{name}`"));
    }
    if let [.., owner, _] = path
        && owner.starts_with(|c: char| c.is_ascii_uppercase())
    {
        let known = code.iter().any(|l| {
            let item = ["struct", "enum", "trait", "type", "union"]
                .iter()
                .any(|k| has_keyword_then(l, k, owner));
            let imp = strip_pub(l.trim_start()).starts_with("impl") && has_word(l, owner);
            item || imp
        });
        if !known {
            return Err(format!("the file neither defines nor implements `{owner}`"));
        }
    }
    Ok(())
}

const ITEM_KEYWORDS: &[&str] = &[
    "fn",
    "struct",
    "enum",
    "trait",
    "type",
    "const",
    "static",
    "mod",
    "union",
    "macro_rules!",
];

fn defines_item(line: &str, name: &str) -> bool {
    ITEM_KEYWORDS
        .iter()
        .any(|k| has_keyword_then(line, k, name))
}

/// `keyword name` in `line`, each a whole word.
fn has_keyword_then(line: &str, keyword: &str, name: &str) -> bool {
    let pattern = format!("{keyword} {name}");
    line.match_indices(&pattern).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + pattern.len()..].chars().next();
        !before.is_some_and(is_ident_char) && !after.is_some_and(is_ident_char)
    })
}

/// A field (`name:`) or a variant (`name,` or `name {`) declared at the start of an indented
/// line.
fn defines_member(line: &str, name: &str) -> bool {
    if !line.starts_with(char::is_whitespace) {
        return false;
    }
    let Some(rest) = strip_pub(line.trim_start()).strip_prefix(name) else {
        return false;
    };
    (rest.starts_with(':') && !rest.starts_with("::"))
        || rest.starts_with(',')
        || rest.starts_with(" {")
}

fn strip_pub(s: &str) -> &str {
    s.strip_prefix("pub(crate) ")
        .or_else(|| s.strip_prefix("pub "))
        .unwrap_or(s)
}

fn has_word(line: &str, word: &str) -> bool {
    line.match_indices(word).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + word.len()..].chars().next();
        !before.is_some_and(is_ident_char) && !after.is_some_and(is_ident_char)
    })
}

/// Chapter paths written in `text`: `docs/NN-name.md` (two digits, `-`, a name) and
/// `docs/appendix-X-name.md` (one lowercase letter), the name being lowercase letters, digits
/// and dashes.
fn chapter_mentions(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices("docs/") {
        let rest = &text[at + "docs/".len()..];
        let Some(prefix_len) = chapter_prefix_len(rest) else {
            continue;
        };
        let name_len = rest[prefix_len..]
            .bytes()
            .take_while(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
            .count();
        if name_len > 0 && rest[prefix_len + name_len..].starts_with(".md") {
            found.push(format!("docs/{}.md", &rest[..prefix_len + name_len]));
        }
    }
    found
}

/// The length of `NN-` or `appendix-X-` at the start of `rest`, if it starts with either.
fn chapter_prefix_len(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    if bytes.len() >= 3
        && bytes[0].is_ascii_digit()
        && bytes[1].is_ascii_digit()
        && bytes[2] == b'-'
    {
        return Some(3);
    }
    let letter = rest.strip_prefix("appendix-")?.as_bytes();
    (letter.len() >= 2 && letter[0].is_ascii_lowercase() && letter[1] == b'-')
        .then_some("appendix-".len() + 2)
}

/// The Markdown files this check covers: `README.md` and `docs/*.md`.
fn markdown_files() -> Vec<PathBuf> {
    let mut files = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = fs::read_dir(root().join("docs"))
        .expect("the docs folder")
        .map(|e| e.expect("a readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

/// Every `.rs` file under `dir`, skipping `target` and hidden folders.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("a readable entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_link_and_code_reference_in_the_docs_is_true() {
    let mut total = Report::default();
    let files = markdown_files();
    for path in &files {
        let text = fs::read_to_string(path).expect("a readable Markdown file");
        let report = check_markdown(path, &text);
        total.links += report.links;
        total.code_references += report.code_references;
        total.errors.extend(report.errors);
    }
    println!(
        "docs check: {} relative links in {} Markdown files verified, {} of them code references",
        total.links,
        files.len(),
        total.code_references
    );
    assert!(
        total.errors.is_empty(),
        "{} broken references:\n{}",
        total.errors.len(),
        total.errors.join("\n")
    );
    assert!(total.code_references > 0, "no code reference was found");
}

#[test]
fn every_chapter_named_in_the_code_exists() {
    let root = root();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let (mut checked, mut errors) = (0, Vec::new());
    for file in &files {
        let text = fs::read_to_string(file).expect("a readable source file");
        for chapter in chapter_mentions(&text) {
            let exists = root.join(&chapter).is_file();
            let pending = PENDING.contains(&chapter.as_str());
            match (exists, pending) {
                (true, true) => errors.push(format!(
                    "{chapter} exists now: remove it from PENDING in nn-core/tests/docs_references.rs and link it from docs/README.md"
                )),
                (false, false) => errors.push(format!(
                    "{} names {chapter}, which does not exist",
                    file.strip_prefix(&root).unwrap_or(file).display()
                )),
                _ => checked += 1,
            }
        }
    }
    println!(
        "docs check: {checked} chapter mentions in {} .rs files verified",
        files.len()
    );
    errors.dedup();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn the_table_of_contents_links_every_chapter() {
    let root = root();
    let toc_path = root.join("docs/README.md");
    let toc = fs::read_to_string(&toc_path).expect("docs/README.md");
    let linked: Vec<String> = links(&toc).into_iter().map(|l| l.target).collect();
    for entry in fs::read_dir(root.join("docs")).expect("the docs folder") {
        let name = entry.expect("a readable entry").file_name();
        let name = name.to_string_lossy();
        if chapter_mentions(&format!("docs/{name}")).is_empty() {
            continue; // not a chapter: README.md, images/
        }
        assert!(
            linked.iter().any(|t| t == name.as_ref()),
            "docs/README.md does not link the chapter {name}"
        );
    }
    let readme = fs::read_to_string(root.join("README.md")).expect("README.md");
    assert!(
        links(&readme).iter().any(|l| l.target == "docs/README.md"),
        "README.md does not link docs/README.md"
    );
}

// The checker must be able to fail.

#[test]
fn the_checker_catches_what_is_broken_and_passes_what_is_not() {
    // A Markdown file as if it were in docs/; its links point at the real sources.
    let md = root().join("docs").join("example.md");
    let text = "\
Good: [`softmax_cross_entropy`](../nn-core/src/loss.rs), [`Mlp::backward`](../nn-core/src/mlp.rs),
[`Sgd::momentum`](../nn-core/src/sgd.rs) (a field), [the loss](../nn-core/src/loss.rs#L1),
[a folder](../nn-core/src), [the web](https://example.com/missing), [here](#top).
Renamed: [`softmax_cross_entropy_v2`](../nn-core/src/loss.rs).
Wrong type: [`Dense::backward`](../nn-core/src/mlp.rs).
Wrong file: [`Mlp`](../nn-core/src/dense.rs).
Missing file: [gone](../nn-core/src/gone.rs), [`softmax`](../nn-core/src/softmax2.rs).
Defined elsewhere: [`MatrixFields`](../nn-core/src/dense.rs).
`[in code](../nowhere.rs)` is not a link, and neither is this:
```
[in a block](../nowhere.rs)
```
";
    let report = check_markdown(&md, text);
    let errors = report.errors.join("\n");
    for expected in [
        "example.md:4: [`softmax_cross_entropy_v2`](../nn-core/src/loss.rs): the file defines no `softmax_cross_entropy_v2`",
        "example.md:5: [`Dense::backward`](../nn-core/src/mlp.rs): the file neither defines nor implements `Dense`",
        "example.md:6: [`Mlp`](../nn-core/src/dense.rs): the file defines no `Mlp`",
        "example.md:7: link target ../nn-core/src/gone.rs does not exist",
        "example.md:7: link target ../nn-core/src/softmax2.rs does not exist",
        "example.md:8: [`MatrixFields`](../nn-core/src/dense.rs): the file defines no `MatrixFields`",
    ] {
        assert!(
            errors.contains(expected),
            "missing error: {expected}\n{errors}"
        );
    }
    assert_eq!(report.errors.len(), 6, "{errors}");
    // Lines 1 to 3 hold 5 relative links (3 of them code references), lines 4 to 8 six more.
    assert_eq!(report.links, 11);
    assert_eq!(report.code_references, 3);
}

#[test]
fn definitions_are_recognised_and_usages_are_not() {
    let source = "\
pub struct Point {
    pub x: f32,
    y: f32,
}
pub enum Shape {
    Circle { r: f32 },
    Empty,
}
impl Point {
    pub(crate) fn norm(&self) -> f32 { self.x.hypot(self.y) }
}
// fn in_a_comment() {}
fn caller() { let p = Point { x: 1.0, y: 2.0 }; p.norm(); helper(p); }
";
    let path = |s: &str| s.split("::").map(str::to_string).collect::<Vec<_>>();
    for ok in [
        "Point",
        "Point::x",
        "Point::y",
        "Point::norm",
        "Shape::Circle",
        "Shape::Empty",
    ] {
        assert_eq!(defines(source, &path(ok)), Ok(()), "{ok}");
    }
    // The owner check is per file: `Shape::norm` would pass, `Line::norm` does not.
    for bad in [
        "norm2",
        "in_a_comment",
        "helper",
        "Line::norm",
        "Circle2",
        "Poin",
    ] {
        assert!(
            defines(source, &path(bad)).is_err(),
            "{bad} should not be found"
        );
    }
}

#[test]
fn chapter_mentions_are_found_in_any_text() {
    let (digits, letter) = ("05", "appendix-a");
    let text = format!(
        "See `docs/{digits}-dense-and-relu.md`, docs/README.md and docs/{digits}-x.txt, then \
         docs/1-no.md, docs/{letter}-fast.md, docs/appendix-ab-no.md and docs/appendix-.md."
    );
    assert_eq!(
        chapter_mentions(&text),
        [
            format!("docs/{digits}-dense-and-relu.md"),
            format!("docs/{letter}-fast.md")
        ]
    );
}
