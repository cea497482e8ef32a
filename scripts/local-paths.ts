import path from 'node:path'

/** Where the local system keeps its builds and data, relative to the repository. */
export const repositoryRoot = path.resolve(__dirname, '..')
export const sharedDataDir = path.resolve(repositoryRoot, '..', 'shared', 'data')
export const localCloudDir = path.join(repositoryRoot, '.local-cloud')
export const localDataDir = path.join(localCloudDir, 'data')
export const serverPidFile = path.join(localCloudDir, 'server.pid')
export const functionsBuildDir = path.join(repositoryRoot, 'dist', 'cloudfunctions')
export const h5BuildDir = path.join(repositoryRoot, 'dist', 'h5')
