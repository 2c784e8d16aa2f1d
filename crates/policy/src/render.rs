//! Renders the published notice from the catalogue: 別表1, 別表2 and the 業務委託先一覧, in
//! the original's order, as Markdown and as HTML (Japanese, for members and staff).

use crate::catalogue::Catalogue;

fn md_cell(s: &str) -> String {
    s.replace('|', "｜").replace('\n', " ")
}

/// Markdown.
pub fn markdown(c: &Catalogue) -> String {
    let mut out = String::new();
    out.push_str(&format!("## {}\n\n", c.meta.data_table_title));
    out.push_str("| 個人情報の種類 | 情報の内容 |\n|---|---|\n");
    for row in &c.data_rows {
        let mut cell = Vec::new();
        for item in &row.items {
            cell.push(format!("・{}", item.text));
            if let Some(detail) = &item.detail {
                cell.push(format!("【{detail}】"));
            }
        }
        cell.extend(row.notes.iter().cloned());
        out.push_str(&format!("| {} | {} |\n", md_cell(&row.label), md_cell(&cell.join("<br>"))));
    }
    out.push_str(&format!("\n## {}\n", c.meta.purpose_table_title));
    for g in &c.groups {
        out.push_str(&format!("\n### {}. {}\n", g.number, g.title));
        if let Some(intro) = &g.intro {
            out.push_str(&format!("\n{intro}\n"));
        }
        for s in &g.sections {
            out.push_str(&format!("\n【{}】\n\n", s.heading));
            for id in &s.uses {
                if let Some(u) = c.use_by_id(id) {
                    out.push_str(&format!("- ・{}\n", u.text));
                }
            }
        }
    }
    out.push_str(&format!("\n## {}\n\n{}\n\n", c.meta.contractor_list_title, c.meta.contractors_as_of));
    out.push_str("| | 業務委託先 | 業務委託内容 |\n|---|---|---|\n");
    for (i, k) in c.contractors.iter().enumerate() {
        out.push_str(&format!("| {} | {} | {} |\n", i + 1, md_cell(&k.name), md_cell(&k.work)));
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A standalone HTML page.
pub fn html(c: &Catalogue) -> String {
    let mut out = String::from(
        "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n<title>個人情報の取扱いについて</title>\n\
         <style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.6}\
         table{border-collapse:collapse}td,th{border:1px solid #888;padding:.3em .6em;vertical-align:top}\
         ul{list-style:none;padding-left:1em}</style>\n</head>\n<body>\n",
    );
    out.push_str(&format!(
        "<h2>{}</h2>\n<table>\n<tr><th>個人情報の種類</th><th>情報の内容</th></tr>\n",
        esc(&c.meta.data_table_title)
    ));
    for row in &c.data_rows {
        out.push_str(&format!("<tr><td>{}</td><td><ul>", esc(&row.label)));
        for item in &row.items {
            out.push_str(&format!("<li>・{}", esc(&item.text)));
            if let Some(detail) = &item.detail {
                out.push_str(&format!("<p>【{}】</p>", esc(detail)));
            }
            out.push_str("</li>");
        }
        out.push_str("</ul>");
        for note in &row.notes {
            out.push_str(&format!("<p>{}</p>", esc(note)));
        }
        out.push_str("</td></tr>\n");
    }
    out.push_str(&format!("</table>\n<h2>{}</h2>\n", esc(&c.meta.purpose_table_title)));
    for g in &c.groups {
        out.push_str(&format!("<h3>{}. {}</h3>\n", g.number, esc(&g.title)));
        if let Some(intro) = &g.intro {
            out.push_str(&format!("<p>{}</p>\n", esc(intro)));
        }
        for s in &g.sections {
            out.push_str(&format!("<p>【{}】</p>\n<ul>\n", esc(&s.heading)));
            for id in &s.uses {
                if let Some(u) = c.use_by_id(id) {
                    out.push_str(&format!("<li>・{}</li>\n", esc(&u.text)));
                }
            }
            out.push_str("</ul>\n");
        }
    }
    out.push_str(&format!(
        "<h2>{}</h2>\n<p>{}</p>\n<table>\n<tr><th></th><th>業務委託先</th><th>業務委託内容</th></tr>\n",
        esc(&c.meta.contractor_list_title),
        esc(&c.meta.contractors_as_of)
    ));
    for (i, k) in c.contractors.iter().enumerate() {
        out.push_str(&format!("<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n", i + 1, esc(&k.name), esc(&k.work)));
    }
    out.push_str("</table>\n</body>\n</html>\n");
    out
}
