//! Levels and titles (头衔): point thresholds mapped to a level number and a title.

use crate::api::NextLevel;
use crate::rules::LevelRule;

/// The member's level (1-based) and title for a balance, and the next level if any.
///
/// `levels` is ascending by `min_points` with the first at 0, as the rules validation ensures.
pub fn level_for(levels: &[LevelRule], points: i64) -> (u32, String, Option<NextLevel>) {
    let reached = levels
        .iter()
        .take_while(|l| l.min_points <= points)
        .count()
        .max(1);
    let title = levels
        .get(reached - 1)
        .map(|l| l.title.clone())
        .unwrap_or_default();
    let next = levels.get(reached).map(|l| NextLevel {
        level: u32::try_from(reached + 1).unwrap_or(u32::MAX),
        title: l.title.clone(),
        min_points: l.min_points,
    });
    (u32::try_from(reached).unwrap_or(u32::MAX), title, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels() -> Vec<LevelRule> {
        [(0, "新手"), (100, "活跃成员"), (1000, "社群达人")]
            .into_iter()
            .map(|(min_points, title)| LevelRule {
                min_points,
                title: title.into(),
            })
            .collect()
    }

    #[test]
    fn thresholds() {
        let check = |points, level, title: &str, next: Option<i64>| {
            let (l, t, n) = level_for(&levels(), points);
            assert_eq!(
                (l, t.as_str(), n.map(|n| n.min_points)),
                (level, title, next),
                "{points}"
            );
        };
        check(0, 1, "新手", Some(100));
        check(99, 1, "新手", Some(100));
        check(100, 2, "活跃成员", Some(1000));
        check(5000, 3, "社群达人", None);
    }
}
