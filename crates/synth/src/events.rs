//! A year of eligibility changes for the synthetic society, as employers file them: per month
//! and employer one KPFD0006 file (日本年金機構 届書 CSV, the 健康保険組合's copy) of 資格取得届
//! (hires), 資格喪失届 (退職; 75歳到達 of older hires) and 被扶養者（異動）届 (births, marriages),
//! plus the staff entries a society takes at the counter (任意継続 申出 within 20 days, name
//! changes). Deterministic for the seed, like the rest.
//!
//! The year is the roster's fiscal year: the roster is the initial load, these filings arrive
//! after it and change the record — a leaver's later receipts become receipts after the loss.

use crate::people::{family, my_number, name};
use crate::{Society, stream};
use chrono::{Datelike, Duration, NaiveDate};
use kenpo_domain::person::{PersonKind, Relationship, Sex};
use kenpo_domain::{YearMonth, eligibility};
use kenpo_formats::nenkin::{
    self, Acquisition, DependantChange, DependantFiling, FiledDependant, FiledPerson, Filing, FilingRecord, Layout,
    Loss, Office, SocietyFields,
};
use rand::Rng;
use std::collections::{BTreeMap, HashSet};

const D_EVENTS: u64 = 7;

/// One employer's file for one month.
pub struct SynthFiling {
    pub file_name: String,
    pub received_on: NaiveDate,
    pub bytes: Vec<u8>,
}

/// Changes staff enter themselves.
pub enum SynthEntry {
    /// 任意継続 申出 of a leaver: (employer, 番号, 申出日).
    Voluntary { employer: String, number: String, applied_on: NaiveDate },
    /// 氏名変更 (marriage of a member): (employer, 番号, day, 漢字, カナ).
    Name { employer: String, number: String, on: NaiveDate, kanji: String, kana: String },
}

#[derive(Default)]
pub struct SynthYear {
    pub filings: Vec<SynthFiling>,
    pub entries: Vec<SynthEntry>,
    pub hires: u64,
    pub leavers: u64,
    pub age75: u64,
    pub births: u64,
    pub marriages: u64,
}

/// The year's filings and entries (fiscal year ending on the roster's `as_of`).
pub fn year_of_events(society: &Society) -> Result<SynthYear, nenkin::FilingError> {
    let config = &society.config;
    let mut rng = stream(config.seed, D_EVENTS, 0);
    let members = config.members;
    let start = config.fiscal_start();
    let mut used: HashSet<u64> = HashSet::new();
    // (month, employer index) → records
    let mut files: BTreeMap<(YearMonth, usize), Vec<FilingRecord>> = BTreeMap::new();
    let mut out = SynthYear::default();
    let per_month = |rate: f64| ((members as f64 * rate / 12.0).round() as u64).max(1);
    let mut next_number = members + 1;
    let mut new_slot = 0u64;
    let employer_of = |code: &str| society.employers.iter().position(|e| e.employer.code == code);
    // A member still covered at the start of the year, not picked before.
    let pick =
        |rng: &mut rand_chacha::ChaCha8Rng, used: &mut HashSet<u64>| -> Option<Vec<kenpo_domain::person::Person>> {
            for _ in 0..50 {
                let index = rng.gen_range(0..members);
                if used.contains(&index) {
                    continue;
                }
                let people = family(society, index);
                let m = &people[0];
                if m.kind != PersonKind::Insured || m.eligibility.iter().any(|p| p.lost_on.is_some()) {
                    continue;
                }
                used.insert(index);
                return Some(people);
            }
            None
        };
    let mut month = YearMonth::of(start);
    for _ in 0..12 {
        let first = month.first_day();
        let days = month.days_in_month() as i64;
        // Hires (資格取得届), one a few of them 74 and turning 75 within the year (then 喪失届 7).
        for k in 0..per_month(0.12) {
            let e = rng.gen_range(0..society.employers.len());
            let sex = if rng.gen_bool(0.55) { Sex::Male } else { Sex::Female };
            let old = k == 0 && month.month() == 4;
            let age = if old { 74 } else { rng.gen_range(18..60) };
            let acquired = first + Duration::days(rng.gen_range(0..days.min(10)));
            let birth = if old {
                // 75th birthday in the autumn of the year.
                NaiveDate::from_ymd_opt(first.year() - 74, 10, rng.gen_range(2..28)).unwrap_or(first)
            } else {
                first - Duration::days(365 * age as i64 + rng.gen_range(0..365))
            };
            let surname = crate::names::SURNAMES[rng.gen_range(0..crate::names::SURNAMES.len())];
            let (kanji, kana) = name(&mut rng, surname, sex);
            new_slot += 1;
            let number = next_number.to_string();
            next_number += 1;
            let pay = rng.gen_range(180_000..650_000);
            files.entry((month, e)).or_default().push(FilingRecord::Acquisition(Acquisition {
                line: 0,
                person: FiledPerson {
                    kana: kana.clone(),
                    kanji: Some(kanji.clone()),
                    birth,
                    my_number: rng.gen_bool(0.95).then(|| my_number(config.seed, (members + 1_000 + new_slot) * 8)),
                },
                sex,
                acquired_on: acquired,
                monthly_pay: pay,
                has_dependants: old,
                postal_code: Some("100-0001".into()),
                address: Some("東京都千代田区千代田1-1".into()),
                certificate: rng.gen_bool(0.05),
                society: SocietyFields { office: None, card_number: Some(number.clone()) },
            }));
            out.hires += 1;
            if old {
                // His or her spouse, 68, a dependant from the same day.
                let spouse_sex = if sex == Sex::Male { Sex::Female } else { Sex::Male };
                let surname =
                    (kanji.split('\u{3000}').next().unwrap_or(""), kana.split('\u{3000}').next().unwrap_or(""));
                let (s_kanji, s_kana) = name(&mut rng, surname, spouse_sex);
                files.entry((month, e)).or_default().push(FilingRecord::Dependants(DependantFiling {
                    line: 0,
                    member: FiledPerson { kana: kana.clone(), kanji: Some(kanji.clone()), birth, my_number: None },
                    member_sex: sex,
                    change: DependantChange::Added,
                    dependants: vec![FiledDependant {
                        person: FiledPerson {
                            kana: s_kana,
                            kanji: Some(s_kanji),
                            birth: birth + Duration::days(365 * 6),
                            my_number: None,
                        },
                        sex: Some(spouse_sex),
                        relationship: Relationship::Spouse,
                        spouse: true,
                        cohabiting: Some(true),
                        since: Some(acquired),
                        until: None,
                        removal_reason: None,
                        income: Some(600_000),
                        certificate: false,
                    }],
                    society: SocietyFields { office: None, card_number: Some(number.clone()) },
                }));
            }
            if old && let Some(b75) = eligibility::seventy_fifth_birthday(birth) {
                // The employer files the 喪失届 (7 75歳到達) in the month of the birthday.
                files.entry((YearMonth::of(b75), e)).or_default().push(FilingRecord::Loss(Loss {
                    line: 0,
                    person: FiledPerson { kana, kanji: Some(kanji), birth, my_number: None },
                    lost_on: b75,
                    reason: eligibility::LossReason::Age75,
                    event_day: b75,
                    cards_returned: 1,
                    cards_unreturnable: 0,
                    society: SocietyFields { office: None, card_number: Some(number) },
                }));
                out.age75 += 1;
            }
        }
        // Leavers (資格喪失届 4 退職等, the last day of the month); some apply for 任意継続.
        for _ in 0..per_month(0.10) {
            let Some(people) = pick(&mut rng, &mut used) else { break };
            let m = &people[0];
            let Some(e) = m.employer_code.as_deref().and_then(employer_of) else { continue };
            let last_day = month.last_day();
            if m.eligibility.iter().any(|p| p.acquired_on >= last_day) {
                continue;
            }
            files.entry((month, e)).or_default().push(FilingRecord::Loss(Loss {
                line: 0,
                person: FiledPerson {
                    kana: m.name_kana.clone(),
                    kanji: Some(m.name_kanji.clone()),
                    birth: m.birth_date,
                    my_number: None,
                },
                lost_on: last_day + Duration::days(1),
                reason: eligibility::LossReason::Retirement,
                event_day: last_day,
                cards_returned: 1,
                cards_unreturnable: 0,
                society: SocietyFields { office: None, card_number: Some(m.card.number.clone()) },
            }));
            out.leavers += 1;
            // 任意継続 needs two months of coverage before the loss (Art. 3(4)) and ends at 75.
            let two_months = m.eligibility.iter().all(|p| {
                p.acquired_on
                    .checked_add_months(chrono::Months::new(2))
                    .is_some_and(|d| d <= last_day + Duration::days(1))
            });
            if two_months
                && rng.gen_bool(0.3)
                && eligibility::seventy_fifth_birthday(m.birth_date).is_some_and(|b| b > last_day + Duration::days(30))
            {
                out.entries.push(SynthEntry::Voluntary {
                    employer: society.employers[e].employer.code.clone(),
                    number: m.card.number.clone(),
                    applied_on: last_day + Duration::days(rng.gen_range(3..=20)),
                });
            }
        }
        // Births and marriages (被扶養者（異動）届 該当).
        for kind in [0u8, 1u8] {
            let count = per_month(if kind == 0 { 0.04 } else { 0.03 });
            for _ in 0..count {
                let Some(people) = pick(&mut rng, &mut used) else { break };
                let m = &people[0];
                let Some(e) = m.employer_code.as_deref().and_then(employer_of) else { continue };
                let has_spouse =
                    people.iter().any(|p| p.dependant.as_ref().is_some_and(|d| d.relationship == Relationship::Spouse));
                let day = first + Duration::days(rng.gen_range(0..days));
                if m.eligibility.iter().any(|p| p.acquired_on >= day) {
                    continue;
                }
                let surname = (
                    m.name_kanji.split('\u{3000}').next().unwrap_or(""),
                    m.name_kana.split('\u{3000}').next().unwrap_or(""),
                );
                let (spouse, dep_sex, birth, relationship) = if kind == 0 {
                    let sex = if rng.gen_bool(0.5) { Sex::Male } else { Sex::Female };
                    (false, sex, day, Relationship::Child)
                } else {
                    if has_spouse {
                        continue;
                    }
                    let sex = if m.sex == Sex::Male { Sex::Female } else { Sex::Male };
                    let age = (m.birth_date.year() - day.year()).abs().clamp(20, 60);
                    (true, sex, day - Duration::days(365 * age as i64 + rng.gen_range(0..365)), Relationship::Spouse)
                };
                let (kanji, kana) = name(&mut rng, surname, dep_sex);
                files.entry((month, e)).or_default().push(FilingRecord::Dependants(DependantFiling {
                    line: 0,
                    member: FiledPerson {
                        kana: m.name_kana.clone(),
                        kanji: Some(m.name_kanji.clone()),
                        birth: m.birth_date,
                        my_number: None,
                    },
                    member_sex: m.sex,
                    change: DependantChange::Added,
                    dependants: vec![FiledDependant {
                        person: FiledPerson { kana, kanji: Some(kanji), birth, my_number: None },
                        sex: Some(dep_sex),
                        relationship,
                        spouse,
                        cohabiting: Some(true),
                        since: Some(day),
                        until: None,
                        removal_reason: None,
                        income: Some(if spouse { rng.gen_range(0..1_000_000) } else { 0 }),
                        certificate: false,
                    }],
                    society: SocietyFields { office: None, card_number: Some(m.card.number.clone()) },
                }));
                if kind == 0 {
                    out.births += 1;
                } else {
                    out.marriages += 1;
                    if m.sex == Sex::Female && rng.gen_bool(0.5) {
                        // She takes the spouse's surname: a 氏名変更 entered by staff.
                        let surname = crate::names::SURNAMES[rng.gen_range(0..crate::names::SURNAMES.len())];
                        let (kanji, kana) = name(&mut rng, surname, Sex::Female);
                        out.entries.push(SynthEntry::Name {
                            employer: society.employers[e].employer.code.clone(),
                            number: m.card.number.clone(),
                            on: day,
                            kanji,
                            kana,
                        });
                    }
                }
            }
        }
        month = month.next();
    }
    // One file per employer and month, received on the 5th of the next month.
    for ((month, e), records) in files {
        let employer = &society.employers[e].employer;
        let received_on = month.next().first_day() + Duration::days(4);
        let filing = Filing {
            layout: Layout::Society,
            created_on: received_on - Duration::days(1),
            office: Office { number: employer.code.clone(), name: employer.name.clone() },
            records,
        };
        out.filings.push(SynthFiling {
            file_name: format!("KPFD0006-{}-{}.CSV", employer.code, month.compact()),
            received_on,
            bytes: nenkin::write_filing(&filing)?,
        });
    }
    Ok(out)
}
