//! The requirement catalogue's own words: the text of each row of `spec/requirements.md`.

/// The catalogue, embedded so `explain` can quote it on any machine.
const CATALOGUE: &str = include_str!("../spec/requirements.md");

/// One catalogue row: its level and version (or source) columns and the requirement sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub id: &'static str,
    pub level: &'static str,
    pub source: &'static str,
    pub requirement: &'static str,
}

/// The row with requirement ID `id`, when the catalogue has one.
pub fn row(id: &str) -> Option<Row> {
    CATALOGUE.lines().find_map(|line| {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // "| ID | level | source | requirement | check |" splits into an empty first cell.
        (cells.len() >= 6 && cells[1] == id).then(|| Row {
            id: cells[1],
            level: cells[2],
            source: cells[3],
            requirement: cells[4],
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_id_of_a_check_has_its_words() {
        for c in crate::checks::catalogue() {
            for id in c.requirements {
                let r =
                    row(id).unwrap_or_else(|| panic!("{} cites {id}, not in the catalogue", c.id));
                assert!(!r.requirement.is_empty(), "{id} has no requirement text");
            }
        }
        assert_eq!(row("MCP-CIMD").map(|r| r.level), Some("SHOULD"));
    }
}
