import { buildFunctions } from '../../scripts/build-functions'

/** Every run tests the functions as they are bundled for deployment, built once up front. */
export default async function globalSetup(): Promise<void> {
  process.env.TONGKA_LOG = 'silent'
  await buildFunctions()
}
