-- Insurer-side deliveries (レセ電コード情報ファイル): each receipt's identity at the 審査支払機関
-- (MN レセプト管理番号, 処理年月; 検索番号 already has its column) and the corrections (JY 補正) its
-- review made. The receipt row and its lines hold the claim as corrected; these rows say what
-- each correction changed.
ALTER TABLE receipts ADD COLUMN management_number TEXT;
ALTER TABLE receipts ADD COLUMN processing_month TEXT;
ALTER TABLE receipts ADD COLUMN review_operation TEXT;   -- EX 審査運用 (JSON: 振替先, 医療費通知対象…)
ALTER TABLE receipts ADD COLUMN record_control TEXT;     -- RC 管理情報, space-separated

-- A 検索番号 names one receipt at the 審査支払機関: the same receipt is never held twice.
CREATE UNIQUE INDEX receipts_search_number ON receipts(search_number) WHERE search_number IS NOT NULL;

CREATE TABLE receipt_corrections (
    receipt_id BIGINT NOT NULL REFERENCES receipts(id),
    seq BIGINT NOT NULL,
    kind BIGINT NOT NULL,                 -- 補正区分: 1 追加, 2 修正, 3 削除
    record TEXT NOT NULL,             -- identifier of the record corrected (HO, SI, IY…)
    row_number BIGINT NOT NULL,           -- 行番号・枝番号 of the claim record
    branch_number BIGINT NOT NULL,
    new_row_number BIGINT,                -- of the replacement or added record
    new_branch_number BIGINT,
    reason TEXT NOT NULL,             -- 事由コード (A–D…), empty for a consequential change
    fields TEXT NOT NULL,             -- 事由対象項目番号 as written
    code TEXT,                        -- line records: 診療行為・医薬品・特定器材 code
    points_before BIGINT,
    points_after BIGINT,
    charge_before BIGINT,
    charge_after BIGINT,
    PRIMARY KEY (receipt_id, seq)
);

-- 特定健診: a result beyond the measurable range keeps both its values (CD H/L and the PQ limit).
ALTER TABLE checkup_results ADD COLUMN interpretation TEXT;
