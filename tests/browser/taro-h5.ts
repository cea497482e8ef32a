import type { Locator, Page } from 'playwright-core'

/**
 * Taro's h5 components are custom elements: an `Input` with a data-testid renders
 * `<taro-input-core data-testid=…><input …/></taro-input-core>`, so typing goes to the inner field.
 */
export function taroInput(page: Page, testId: string): Locator {
  return page.getByTestId(testId).locator('input, textarea').first()
}

export async function fillTaroInput(page: Page, testId: string, value: string) {
  await taroInput(page, testId).fill(value)
}

/** The identity picker's entries: `role` is one of the local cloud's roles. */
export function identityOption(page: Page, role: string): Locator {
  return page.locator(`[data-testid="identity-option"][data-role="${role}"]`)
}

/** The 20 digits of the card code the card page shows right now. */
export async function readCardCode(page: Page): Promise<string> {
  const text = await page.getByTestId('card-code-text').innerText()

  return text.replace(/\D/g, '')
}
