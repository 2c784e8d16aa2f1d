//! The uses of 別表2, each with a stable ASCII id.
//!
//! This list is the foundation's copy of 別表2 so that every access can name a real purpose
//! from day one. The policy-catalogue issue moves it into versioned catalogue files (with
//! flows, categories and actors) and renders the notice back from them.

/// The eight groups of 別表2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PurposeGroup {
    /// 1. 被保険者等に対する保険給付に必要な利用目的
    Benefits = 1,
    /// 2. 保険料の徴収等に必要な利用目的
    Premiums = 2,
    /// 3. 保健事業に必要な利用目的
    HealthServices = 3,
    /// 4. 診療報酬の審査・支払に必要な利用目的
    ReceiptReview = 4,
    /// 5. 健康保険組合の運営の安定化に必要な利用目的
    Stability = 5,
    /// 6. その他
    Other = 6,
    /// 7. 特定個人情報
    SpecificPersonalInfo = 7,
    /// 8. オンライン資格確認等システムの利用に係る利用目的
    OnlineEligibility = 8,
}

/// One listed use.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Purpose {
    pub id: &'static str,
    pub group: PurposeGroup,
    /// The line of 別表2, verbatim.
    pub text: &'static str,
    /// A 番号法 affair: the only uses under which My Number may be touched.
    pub my_number_affair: bool,
}

const fn p(id: &'static str, group: PurposeGroup, text: &'static str) -> Purpose {
    Purpose { id, group, text, my_number_affair: false }
}
const fn mn(id: &'static str, group: PurposeGroup, text: &'static str) -> Purpose {
    Purpose { id, group, text, my_number_affair: true }
}

use PurposeGroup as G;

/// Every use in 別表2, in the notice's order.
pub static PURPOSES: [Purpose; 40] = [
    p("eligibility.management", G::Benefits, "被保険者資格の確認、被扶養者の認定並びに健康保険被保険者証の発行管理"),
    p("benefits.payment", G::Benefits, "保険給付及び付加給付の実施"),
    mn("mynumber.affairs", G::Benefits, "番号法に定める利用事務"),
    p(
        "benefits.payroll_payment",
        G::Benefits,
        "高額療養費及び一部負担金還元金等の自動払いにおける給与口座（事業主）への支払い",
    ),
    p("benefits.overseas_translation", G::Benefits, "海外療養費に係る翻訳のための外部委託"),
    p("benefits.third_party_recovery", G::Benefits, "第三者行為に係る損保会社等への求償"),
    p("benefits.kenporen_joint_program", G::Benefits, "健保連の高額医療給付の共同事業"),
    mn("mynumber.linkage", G::Benefits, "番号法に定める情報連携"),
    p("eligibility.outsourced_processing", G::Benefits, "被保険者等の資格等のデータ処理の外部委託"),
    p("premiums.remuneration", G::Premiums, "標準報酬月額及び標準賞与額の把握"),
    p("premiums.collection", G::Premiums, "健康保険料、介護保険料、調整保険料の徴収"),
    p("health.promotion", G::HealthServices, "健康の保持・増進のための健診、保健指導及び健康相談"),
    p("health.specific_checkup", G::HealthServices, "特定健診、保健指導の実施"),
    p("health.facilities", G::HealthServices, "健康増進施設（保養所等）の運営"),
    p("health.state_report", G::HealthServices, "特定健診、保健指導の実施状況管理及び国への報告"),
    p("health.occupational_physician", G::HealthServices, "保健指導、健康相談に係る産業医への委託"),
    p("health.checkup_entrustment", G::HealthServices, "医療機関への健診の委託"),
    p("health.facilities_entrustment", G::HealthServices, "健康増進施設（保養所等）の運営の委託"),
    p("health.collabo_provision", G::HealthServices, "コラボヘルスの一環である健診結果の事業者への提供"),
    p("health.medical_cost_notice", G::HealthServices, "被保険者等への医療費通知"),
    p("receipts.review", G::ReceiptReview, "診療報酬明細書（レセプト）等の内容点検・審査"),
    p("receipts.review_entrustment", G::ReceiptReview, "レセプトデータの内容点検・審査の委託"),
    p(
        "receipts.data_entry_entrustment",
        G::ReceiptReview,
        "レセプトデータの電算処理のためのパンチ入力、画像取込み処理の委託",
    ),
    p(
        "receipts.online_transfer",
        G::ReceiptReview,
        "オンライン資格確認等システムを利用したレセプト振替のための加入者情報の提供",
    ),
    p(
        "receipts.online_rereview",
        G::ReceiptReview,
        "オンライン資格確認等システムを利用したレセプト振替のための再審査請求に係る加入者情報の照会及び提供",
    ),
    p("analysis.cost", G::Stability, "医療費分析・疾病分析"),
    p(
        "analysis.receipt_targeting",
        G::Stability,
        "レセプトデータを医療費分析に用い、当組合の医療費適正化対策に利用するとともに、健康診断後の事後指導や生活習慣病予防教育の対象者抽出に利用",
    ),
    p(
        "analysis.checkup_targeting",
        G::Stability,
        "健康診断の結果数値を、健康診断後の事後指導や生活習慣病予防教育の対象者抽出に利用。",
    ),
    p("analysis.entrustment", G::Stability, "医療費分析及び医療費通知に係るデータ処理等の外部委託"),
    p("analysis.kenporen", G::Stability, "健康保険組合連合会本部における医療費分析事業への参画"),
    p("admin.basic_material", G::Other, "健保組合の管理運営業務のうち、業務の維持・改善のための基礎資料"),
    p("admin.third_party_consultation", G::Other, "第三者求償事務において、保険会社・医療機関等への相談又は届出等"),
    mn(
        "mynumber.receive_benefit_info",
        G::SpecificPersonalInfo,
        "傷病手当金、高額療養費等保険給付審査事務にかかる給付情報等",
    ),
    mn("mynumber.receive_tax_info", G::SpecificPersonalInfo, "高齢受給者負担区分判定等にかかる課税・非課税情報"),
    mn(
        "mynumber.receive_eligibility_info",
        G::SpecificPersonalInfo,
        "被保険者資格取得事務にかかる他機関における資格情報",
    ),
    mn(
        "mynumber.receive_dependant_info",
        G::SpecificPersonalInfo,
        "被扶養者認定事務にかかる課税・非課税、住民票関係情報等",
    ),
    mn(
        "mynumber.provide_benefit_info",
        G::SpecificPersonalInfo,
        "高額療養費、出産、葬祭関連給付等、他機関の給付事務にかかる組合における保険給付関連情報",
    ),
    mn(
        "mynumber.provide_eligibility_info",
        G::SpecificPersonalInfo,
        "資格取得、被扶養者認定等、他機関の資格確認事務にかかる組合における資格取得、被扶養者資格関連情報",
    ),
    p("online.register", G::OnlineEligibility, "被保険者等の資格関連情報及び特定健診データの登録"),
    p("online.receive_checkups", G::OnlineEligibility, "特定健診データ"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_every_group_has_a_use() {
        let mut ids = std::collections::HashSet::new();
        for p in PURPOSES.iter() {
            assert!(ids.insert(p.id), "duplicate id {}", p.id);
            assert!(p.id.is_ascii());
        }
        for g in 1..=8 {
            assert!(PURPOSES.iter().any(|p| p.group as u8 == g), "group {g} has no use");
        }
    }
}
