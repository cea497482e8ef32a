import type { Database, Doc } from './ports'

export interface EarningRule {
  /** Points per whole yuan spent; fractions of a point are dropped. */
  pointsPerYuan: number
}

export interface BrandSettings {
  brandName: string
  earning: EarningRule
  terms: { version: string; text: string }
}

export const defaultSettings: BrandSettings = {
  brandName: '鲜邻超市',
  earning: { pointsPerYuan: 1 },
  terms: {
    version: '2026-11',
    text: [
      '鲜邻超市会员隐私条款（2026-11 版）',
      '1. 我们收集你的手机号，用于在全国各门店识别你的会员身份；可选收集姓名与生日，用于生日礼遇。',
      '2. 门店店员只能看到打码的手机号（如 138****8000），每一次查看都会被记录。',
      '3. 你的消费记录用于计算积分、会员等级和优惠券。',
      '4. 你可以随时在“我的资料”页面注销账户，个人信息将立即删除。',
    ].join('\n'),
  },
}

type SettingsDoc = Doc & Partial<BrandSettings>

/** The brand's rules as HQ left them, over the defaults for anything HQ never set. */
export async function loadSettings(db: Database): Promise<BrandSettings> {
  const stored = await db.get<SettingsDoc>('settings', 'brand')

  return {
    brandName: stored?.brandName ?? defaultSettings.brandName,
    earning: { ...defaultSettings.earning, ...stored?.earning },
    terms: stored?.terms ?? defaultSettings.terms,
  }
}

/** Integer points for an amount in fen; whole yuan only, so 12.99 yuan earns 12 at 1 per yuan. */
export function computeEarnedPoints(amountFen: number, rule: EarningRule): number {
  return Math.floor(amountFen / 100) * rule.pointsPerYuan
}
