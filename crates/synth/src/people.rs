//! Employers, insured persons, dependants and cash-benefit claims.

use crate::names::{FEMALE_GIVEN, INDUSTRIES, MALE_GIVEN, SURNAMES, TOWNS};
use crate::{normal, stream};
use chrono::{Datelike, Duration, NaiveDate};
use kenpo_domain::benefit::{BenefitStatus, CashBenefitClaim, CashBenefitKind};
use kenpo_domain::person::{
    Bonus, Contact, DependantInfo, EligibilityPeriod, Employer, Person, PersonKind, Relationship, Sex,
    StandardRemuneration,
};
use kenpo_domain::{CardId, InsurerNumber, MyNumber, grades};
use rand::Rng;

/// What to generate.
#[derive(Clone, Debug)]
pub struct SocietyConfig {
    /// Insured persons (本人 and 任意継続); dependants come on top (~0.8 per member).
    pub members: u64,
    pub seed: u64,
    /// A synthetic 保険者番号 (法別 06).
    pub insurer_number: String,
    /// The roster is as of this day; receipts and checkups cover the fiscal year ending here.
    pub as_of: NaiveDate,
}

impl SocietyConfig {
    pub fn new(members: u64, seed: u64) -> Self {
        Self {
            members,
            seed,
            insurer_number: "06279996".into(),
            as_of: NaiveDate::from_ymd_opt(2027, 3, 31).expect("valid date"),
        }
    }
    /// First day of the fiscal year that ends on `as_of`.
    pub fn fiscal_start(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.as_of.year() - 1, 4, 1).expect("valid date")
    }
}

/// An employer with its share of members and the 記号 its members' cards carry.
#[derive(Clone, Debug)]
pub struct EmployerSpec {
    pub employer: Employer,
    pub symbol: String,
    pub weight: f64,
}

/// Everything about the society that is small enough to hold: employers and their weights.
pub struct Society {
    pub config: SocietyConfig,
    pub employers: Vec<EmployerSpec>,
    cumulative: Vec<f64>,
}

impl Society {
    pub fn new(config: SocietyConfig) -> Self {
        let employers = employers(&config);
        let total: f64 = employers.iter().map(|e| e.weight).sum();
        let mut acc = 0.0;
        let cumulative = employers
            .iter()
            .map(|e| {
                acc += e.weight / total;
                acc
            })
            .collect();
        Self { config, employers, cumulative }
    }

    fn pick_employer(&self, u: f64) -> usize {
        self.cumulative.iter().position(|c| u <= *c).unwrap_or(self.employers.len() - 1)
    }
}

const D_EMPLOYER: u64 = 1;
const D_FAMILY: u64 = 2;
const D_BENEFIT: u64 = 3;

/// Several employers of very different sizes (Zipf-like weights): one or two large ones,
/// many small ones — the shape of a 総合 or 単一 society with group companies.
pub fn employers(config: &SocietyConfig) -> Vec<EmployerSpec> {
    let count = (config.members / 150).clamp(5, 400) as usize;
    let mut rng = stream(config.seed, D_EMPLOYER, 0);
    (0..count)
        .map(|i| {
            let (town, _) = TOWNS[rng.gen_range(0..TOWNS.len())];
            let industry = INDUSTRIES[i % INDUSTRIES.len()];
            let suffix = if i < INDUSTRIES.len() { String::new() } else { format!("第{}", i / INDUSTRIES.len() + 1) };
            EmployerSpec {
                employer: Employer {
                    code: format!("E{:04}", i + 1),
                    name: format!("{industry}{suffix}株式会社"),
                    address: format!("{town}{}-{}", rng.gen_range(1..9), rng.gen_range(1..30)),
                },
                symbol: format!("{}", 100 + i),
                weight: 1.0 / (i as f64 + 1.0).powf(1.1),
            }
        })
        .collect()
}

pub(crate) fn name(rng: &mut impl Rng, surname: (&str, &str), sex: Sex) -> (String, String) {
    let given = match sex {
        Sex::Male => MALE_GIVEN[rng.gen_range(0..MALE_GIVEN.len())],
        Sex::Female => FEMALE_GIVEN[rng.gen_range(0..FEMALE_GIVEN.len())],
    };
    // 電子レセプト separates 姓 and 名 with a full-width space.
    (format!("{}\u{3000}{}", surname.0, given.0), format!("{}\u{3000}{}", surname.1, given.1))
}

fn birth_date(rng: &mut impl Rng, as_of: NaiveDate, age: i32) -> NaiveDate {
    let last = NaiveDate::from_ymd_opt(as_of.year() - age, as_of.month(), as_of.day()).unwrap_or(as_of);
    last - Duration::days(rng.gen_range(0..365))
}

/// A synthetic 個人番号: distinct for every person slot (a bijection of 0..10^11), valid
/// check digit. The multiplier is odd and ends in 1, so it is invertible modulo 10^11.
pub(crate) fn my_number(seed: u64, slot: u64) -> MyNumber {
    let modulus = 100_000_000_000u64;
    let x = ((slot as u128 * 4_398_046_511u128 + (seed % modulus) as u128) % modulus as u128) as u64;
    let mut digits = [0u8; 11];
    let mut v = x;
    for d in digits.iter_mut().rev() {
        *d = (v % 10) as u8;
        v /= 10;
    }
    MyNumber::from_first_eleven(digits)
}

/// Insured age (18-74): few under 22, a broad middle, thinning after 60 (再雇用), few 70+.
fn insured_age(rng: &mut impl Rng) -> i32 {
    let u: f64 = rng.r#gen();
    match u {
        u if u < 0.06 => rng.gen_range(18..22),
        u if u < 0.88 => rng.gen_range(22..60),
        u if u < 0.98 => rng.gen_range(60..70),
        _ => rng.gen_range(70..75),
    }
}

fn monthly_pay(rng: &mut impl Rng, age: i32, sex: Sex) -> i64 {
    let base = 190_000.0 + 9_000.0 * (age.clamp(22, 55) - 22) as f64;
    let sex_factor = if sex == Sex::Female { 0.82 } else { 1.0 };
    let noise = normal(rng, 0.0, 0.28).exp();
    ((base * sex_factor * noise) as i64).clamp(60_000, 2_500_000)
}

/// One member and their dependants, insured person first. Deterministic per index.
pub fn family(society: &Society, index: u64) -> Vec<Person> {
    let config = &society.config;
    let mut rng = stream(config.seed, D_FAMILY, index);
    let as_of = config.as_of;
    let insurer = InsurerNumber::parse(&config.insurer_number).expect("configured insurer number is valid");
    let surname = SURNAMES[rng.gen_range(0..SURNAMES.len())];
    let sex = if rng.gen_bool(0.62) { Sex::Male } else { Sex::Female };
    let age = insured_age(&mut rng);
    let birth = birth_date(&mut rng, as_of, age);
    let (name_kanji, name_kana) = name(&mut rng, surname, sex);
    let employer = &society.employers[society.pick_employer(rng.r#gen())];
    let voluntary = age < 65 && rng.gen_bool(0.015);
    let number = (index + 1).to_string();
    let symbol = if voluntary { "900".to_string() } else { employer.symbol.clone() };
    let hire_age = rng.gen_range(18..=30).min(age);
    let hired = NaiveDate::from_ymd_opt(birth.year() + hire_age, 4, 1)
        .unwrap_or(birth)
        .max(NaiveDate::from_ymd_opt(1990, 4, 1).expect("valid date"))
        .min(as_of - Duration::days(10));

    // Pay and its history: 定時決定 in September of each of the last two years.
    let pay = monthly_pay(&mut rng, age, sex);
    let mut remuneration = Vec::new();
    for (years_back, factor) in [(1, 0.97), (0, 1.0)] {
        let from = NaiveDate::from_ymd_opt(as_of.year() - 1 - years_back, 9, 1).expect("valid date");
        if from < hired {
            continue;
        }
        let paid = (pay as f64 * factor) as i64;
        if let Ok(g) = grades::grade_for_pay(from, paid) {
            remuneration.push(StandardRemuneration {
                effective_from: from,
                grade: g.grade,
                monthly_amount: g.monthly_amount,
            });
        }
    }
    if remuneration.is_empty() {
        let from = hired.max(NaiveDate::from_ymd_opt(2016, 4, 1).expect("valid date"));
        if let Ok(g) = grades::grade_for_pay(from, pay) {
            remuneration.push(StandardRemuneration {
                effective_from: from,
                grade: g.grade,
                monthly_amount: g.monthly_amount,
            });
        }
    }

    let (kind, eligibility, contact, employer_code, bonuses) = if voluntary {
        // Left the employer within the last two years and continued (任意継続, up to 2 years).
        let left = as_of - Duration::days(rng.gen_range(30..700));
        let town = TOWNS[rng.gen_range(0..TOWNS.len())];
        let contact = Contact {
            postal_code: town.1.to_string(),
            address: format!("{}{}-{}-{}", town.0, rng.gen_range(1..9), rng.gen_range(1..30), rng.gen_range(1..20)),
            phone: format!("090-{:04}-{:04}", rng.gen_range(0..10_000), rng.gen_range(0..10_000)),
        };
        // 任意継続's 標準報酬月額 is the lower of the last one and the society's cap (規約);
        // we use 320,000 here as the synthetic society's cap.
        let before = remuneration.iter().rev().find(|r| r.effective_from <= left).or(remuneration.first());
        let capped = before.map(|r| r.monthly_amount).unwrap_or(pay).min(320_000);
        remuneration = grades::grade_for_pay(left, capped)
            .map(|g| {
                vec![StandardRemuneration {
                    effective_from: left + Duration::days(1),
                    grade: g.grade,
                    monthly_amount: g.monthly_amount,
                }]
            })
            .unwrap_or_default();
        let period = EligibilityPeriod {
            acquired_on: left + Duration::days(1),
            acquisition_reason: "任意継続".into(),
            lost_on: None,
            loss_reason: None,
        };
        (PersonKind::VoluntaryContinuation, vec![period], Some(contact), None, Vec::new())
    } else {
        let lost = if rng.gen_bool(0.04) {
            let day = config.fiscal_start() + Duration::days(rng.gen_range(0..365));
            Some(day)
        } else if age >= 70 && rng.gen_bool(0.1) {
            Some(as_of - Duration::days(rng.gen_range(0..200)))
        } else {
            None
        };
        let lost = lost.filter(|l| *l > hired);
        // No 標準報酬 takes effect on or after the day coverage ends (the 定時決定 of a
        // September after a May 喪失 cannot exist); keep the one in force when it ended.
        if let Some(l) = lost {
            remuneration.retain(|r| r.effective_from < l);
            let from = hired.max(NaiveDate::from_ymd_opt(2016, 4, 1).expect("valid date"));
            if remuneration.is_empty()
                && from < l
                && let Ok(g) = grades::grade_for_pay(from, pay)
            {
                remuneration.push(StandardRemuneration {
                    effective_from: from,
                    grade: g.grade,
                    monthly_amount: g.monthly_amount,
                });
            }
        }
        let period = EligibilityPeriod {
            acquired_on: hired,
            acquisition_reason: "採用".into(),
            lost_on: lost,
            loss_reason: lost.map(|_| "退職".into()),
        };
        // Bonuses in June and December of the fiscal year, for most employees.
        let mut bonuses = Vec::new();
        if rng.gen_bool(0.8) {
            let mut year_total = 0;
            for (y, m, d) in [(as_of.year() - 1, 6, 30), (as_of.year() - 1, 12, 10)] {
                let paid_on = NaiveDate::from_ymd_opt(y, m, d).expect("valid date");
                if paid_on < hired || lost.is_some_and(|l| paid_on >= l) {
                    continue;
                }
                let amount = (pay as f64 * rng.gen_range(1.0..2.8)) as i64 + rng.gen_range(0..1000);
                let standard = grades::standard_bonus(paid_on, amount, year_total).unwrap_or(0);
                year_total += standard;
                bonuses.push(Bonus { paid_on, amount, standard_amount: standard });
            }
        }
        (PersonKind::Insured, vec![period], None, Some(employer.employer.code.clone()), bonuses)
    };
    let insured_covered_from = eligibility[0].acquired_on;
    let insured_lost = eligibility[0].lost_on;
    let insured = Person {
        insurer_number: insurer.clone(),
        card: CardId::new(&symbol, &number, 0).expect("generated card is valid"),
        kind,
        name_kanji,
        name_kana,
        birth_date: birth,
        sex,
        my_number: rng.gen_bool(0.96).then(|| my_number(config.seed, index * 8)),
        employer_code: employer_code.clone(),
        eligibility,
        remuneration,
        bonuses,
        dependant: None,
        contact,
    };

    let mut people = vec![insured];
    let mut branch = 1u8;
    let mut add = |rng: &mut rand_chacha::ChaCha8Rng,
                   relationship: Relationship,
                   dep_sex: Sex,
                   dep_birth: NaiveDate,
                   income: i64,
                   people: &mut Vec<Person>| {
        let acquired = insured_covered_from.max(dep_birth);
        if insured_lost.is_some_and(|lost| acquired >= lost) {
            return; // born or recognised after the member left: never a dependant here
        }
        let (kanji, kana) = name(rng, surname, dep_sex);
        people.push(Person {
            insurer_number: insurer.clone(),
            card: CardId::new(&symbol, &number, branch).expect("generated card is valid"),
            kind: PersonKind::Dependant,
            name_kanji: kanji,
            name_kana: kana,
            birth_date: dep_birth,
            sex: dep_sex,
            my_number: rng.gen_bool(0.93).then(|| my_number(config.seed, index * 8 + branch as u64)),
            employer_code: employer_code.clone(),
            eligibility: vec![EligibilityPeriod {
                acquired_on: acquired,
                acquisition_reason: if acquired == dep_birth { "出生".into() } else { "被扶養者認定".into() },
                lost_on: insured_lost,
                loss_reason: insured_lost.map(|_| "被保険者資格喪失".into()),
            }],
            remuneration: Vec::new(),
            bonuses: Vec::new(),
            dependant: Some(DependantInfo {
                relationship,
                cohabiting: relationship != Relationship::Parent || rng.gen_bool(0.6),
                annual_income: income,
            }),
            contact: None,
        });
        branch += 1;
    };
    // Spouse: married ~60% from 25; a dependent spouse mostly for male members.
    if age >= 25 && rng.gen_bool(0.6) && rng.gen_bool(if sex == Sex::Male { 0.55 } else { 0.1 }) {
        let spouse_sex = if sex == Sex::Male { Sex::Female } else { Sex::Male };
        let spouse_age = (age + rng.gen_range(-5..=3)).clamp(20, 80);
        let b = birth_date(&mut rng, as_of, spouse_age);
        let income = if rng.gen_bool(0.5) { 0 } else { rng.gen_range(100_000..1_250_000) };
        add(&mut rng, Relationship::Spouse, spouse_sex, b, income, &mut people);
    }
    // Children under 23, born when the member was 25-38.
    if (25..62).contains(&age) {
        let wanted = match rng.r#gen::<f64>() {
            u if u < 0.35 => 0,
            u if u < 0.6 => 1,
            u if u < 0.9 => 2,
            _ => 3,
        };
        let mut parent_age_at_birth = rng.gen_range(25..33);
        for _ in 0..wanted {
            let child_age = age - parent_age_at_birth;
            if (0..23).contains(&child_age) {
                let child_sex = if rng.gen_bool(0.51) { Sex::Male } else { Sex::Female };
                let b = birth_date(&mut rng, as_of, child_age);
                let income = if child_age >= 18 && rng.gen_bool(0.3) { rng.gen_range(50_000..900_000) } else { 0 };
                add(&mut rng, Relationship::Child, child_sex, b, income, &mut people);
            }
            parent_age_at_birth += rng.gen_range(2..5);
        }
    }
    // A parent now and then.
    if age >= 40 && rng.gen_bool(0.03) {
        let parent_sex = if rng.gen_bool(0.7) { Sex::Female } else { Sex::Male };
        let parent_age = (age + rng.gen_range(25..35)).min(95);
        let b = birth_date(&mut rng, as_of, parent_age);
        let income = rng.gen_range(600_000..1_700_000);
        add(&mut rng, Relationship::Parent, parent_sex, b, income, &mut people);
    }
    people
}

/// A few cash-benefit claims (about one per 100 members), each with the items 別表1 names.
pub fn benefit_claims(society: &Society) -> Vec<(String, CardId, CashBenefitClaim)> {
    let config = &society.config;
    let count = (config.members / 100).max(3);
    let fy = config.fiscal_start();
    let mut out = Vec::new();
    for k in 0..count {
        let mut rng = stream(config.seed, D_BENEFIT, k);
        let index = rng.gen_range(0..config.members);
        let family = family(society, index);
        let received_on = fy + Duration::days(rng.gen_range(30..360));
        let status = match rng.r#gen::<f64>() {
            u if u < 0.7 => BenefitStatus::Paid,
            u if u < 0.8 => BenefitStatus::Approved,
            u if u < 0.9 => BenefitStatus::UnderReview,
            u if u < 0.95 => BenefitStatus::Received,
            _ => BenefitStatus::Rejected,
        };
        let insured = &family[0];
        let decided = |amount: i64| matches!(status, BenefitStatus::Approved | BenefitStatus::Paid).then_some(amount);
        let blank = CashBenefitClaim {
            kind: CashBenefitKind::MedicalExpense,
            received_on,
            status,
            period_from: None,
            period_to: None,
            diagnosis: None,
            clinical_note: None,
            pay_during_period: None,
            pension_amount: None,
            days_worked: None,
            event_date: None,
            claimed_amount: 0,
            decided_amount: None,
            claimant: None,
        };
        let u: f64 = rng.r#gen();
        let (person, claim) = if u < 0.35 && insured.kind == PersonKind::Insured {
            // 傷病手当金: daily = round(avg 標準報酬月額 / 30, to 10 yen) × 2/3, from day 4.
            let monthly = insured.remuneration.last().map(|r| r.monthly_amount).unwrap_or(300_000);
            let daily_base = ((monthly as f64 / 30.0 / 10.0).round() * 10.0) as i64;
            let daily = (daily_base as f64 * 2.0 / 3.0).round() as i64;
            let days = rng.gen_range(7..90);
            let from = received_on - Duration::days(days + 10);
            let paid_days = days - 3;
            let diagnoses = ["腰椎椎間板ヘルニア", "うつ病", "骨折", "胃潰瘍", "適応障害"];
            (
                insured,
                CashBenefitClaim {
                    kind: CashBenefitKind::SicknessAllowance,
                    period_from: Some(from),
                    period_to: Some(from + Duration::days(days - 1)),
                    diagnosis: Some(diagnoses[rng.gen_range(0..diagnoses.len())].into()),
                    clinical_note: Some("療養のため労務不能と認める".into()),
                    pay_during_period: Some(0),
                    pension_amount: None,
                    days_worked: Some(0),
                    claimed_amount: daily * paid_days,
                    decided_amount: decided(daily * paid_days),
                    ..blank
                },
            )
        } else if u < 0.6 {
            // 出産育児一時金 (≥2023-04-01, 産科医療補償制度 covered): 500,000 per child.
            let mother = family.iter().find(|p| p.sex == Sex::Female).unwrap_or(insured);
            let born = received_on - Duration::days(rng.gen_range(5..40));
            (
                mother,
                CashBenefitClaim {
                    kind: CashBenefitKind::ChildbirthLumpSum,
                    event_date: Some(born),
                    clinical_note: Some("正常分娩（産科医療補償制度加入機関）".into()),
                    claimed_amount: 500_000,
                    decided_amount: decided(500_000),
                    ..blank
                },
            )
        } else if u < 0.85 {
            let person = &family[rng.gen_range(0..family.len())];
            let from = received_on - Duration::days(rng.gen_range(20..60));
            let amount = rng.gen_range(3_000..60_000);
            (
                person,
                CashBenefitClaim {
                    kind: CashBenefitKind::MedicalExpense,
                    period_from: Some(from),
                    period_to: Some(from + Duration::days(rng.gen_range(1..20))),
                    diagnosis: Some("頸部捻挫".into()),
                    clinical_note: Some("柔道整復師による施術".into()),
                    claimed_amount: amount,
                    decided_amount: decided(amount * 7 / 10),
                    claimant: Some("見本整骨院（受領委任）".into()),
                    ..blank
                },
            )
        } else if u < 0.9 {
            let person = &family[rng.gen_range(0..family.len())];
            let amount = rng.gen_range(20_000..150_000);
            (
                person,
                CashBenefitClaim {
                    kind: CashBenefitKind::Transport,
                    event_date: Some(received_on - Duration::days(20)),
                    clinical_note: Some("転院のための移送（医師の指示）".into()),
                    claimed_amount: amount,
                    decided_amount: decided(amount),
                    ..blank
                },
            )
        } else if u < 0.95 && insured.sex == Sex::Female && insured.kind == PersonKind::Insured {
            let monthly = insured.remuneration.last().map(|r| r.monthly_amount).unwrap_or(250_000);
            let daily = (((monthly as f64 / 30.0 / 10.0).round() * 10.0) * 2.0 / 3.0).round() as i64;
            let born = received_on - Duration::days(70);
            (
                insured,
                CashBenefitClaim {
                    kind: CashBenefitKind::MaternityAllowance,
                    period_from: Some(born - Duration::days(41)),
                    period_to: Some(born + Duration::days(56)),
                    event_date: Some(born),
                    pay_during_period: Some(0),
                    days_worked: Some(0),
                    claimed_amount: daily * 98,
                    decided_amount: decided(daily * 98),
                    ..blank
                },
            )
        } else {
            // 埋葬料: 50,000 yen (健康保険法施行令 Art. 35).
            let person = family.last().unwrap_or(insured);
            (
                insured,
                CashBenefitClaim {
                    kind: CashBenefitKind::Funeral,
                    event_date: Some(received_on - Duration::days(15)),
                    claimed_amount: 50_000,
                    decided_amount: decided(50_000),
                    claimant: Some(format!(
                        "{}（{}）",
                        insured.name_kanji,
                        if person.card.branch == 0 { "本人" } else { "家族" }
                    )),
                    ..blank
                },
            )
        };
        out.push((person.insurer_number.to_string(), person.card.clone(), claim));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 12: member 1 of the demo had 喪失 2025-05-27 and a 標準報酬 from 2025-09-01. No
    /// generated person has a 標準報酬 taking effect on or after the day coverage ended.
    #[test]
    fn no_standard_remuneration_after_loss_of_coverage() {
        let society = Society::new(SocietyConfig::new(3_000, 1));
        let mut leavers = 0;
        for i in 0..3_000 {
            for p in family(&society, i) {
                let Some(lost) = p.eligibility.last().and_then(|e| e.lost_on) else { continue };
                if p.kind.is_insured() {
                    leavers += 1;
                    assert!(!p.remuneration.is_empty(), "an insured leaver keeps the 標準報酬 in force");
                }
                for r in &p.remuneration {
                    assert!(r.effective_from < lost, "標準報酬 from {} after 喪失 {lost}", r.effective_from);
                }
            }
        }
        assert!(leavers > 50, "the society has leavers to check ({leavers})");
    }

    #[test]
    fn same_seed_same_people_and_valid_numbers() {
        let society = Society::new(SocietyConfig::new(1000, 7));
        let a = family(&society, 42);
        let b = family(&society, 42);
        assert_eq!(a, b);
        assert_eq!(a[0].card.branch, 0);
        assert!(a[1..].iter().all(|p| p.kind == PersonKind::Dependant));
        for p in &a {
            if let Some(n) = &p.my_number {
                assert!(MyNumber::parse(&n.expose_digits()).is_ok());
            }
        }
    }

    #[test]
    fn population_shape() {
        let society = Society::new(SocietyConfig::new(3000, 1));
        let mut dependants = 0usize;
        let mut numbers = std::collections::HashSet::new();
        for i in 0..3000 {
            let f = family(&society, i);
            dependants += f.len() - 1;
            for p in &f {
                if let Some(n) = &p.my_number {
                    assert!(numbers.insert(n.expose_digits()), "duplicate 個人番号");
                }
            }
        }
        let per_member = dependants as f64 / 3000.0;
        assert!((0.5..1.1).contains(&per_member), "dependants per member {per_member}");
        assert!(society.employers.len() >= 5);
    }
}
