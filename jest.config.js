/** Tests run TypeScript through swc; browser and local-cloud tests start their own servers. */
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript', tsx: true }, transform: { react: { runtime: 'automatic' } } } }]

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  transform: { '^.+\\.(t|j)sx?$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@noble/hashes)/)'],
  globalSetup: '<rootDir>/tests/support/global-setup.ts',
  testPathIgnorePatterns: ['/node_modules/', '/tests/support/', '/fixtures/'],
  testTimeout: 60_000,
}
