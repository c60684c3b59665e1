// Procore ⇄ SharePoint Sync in one resource group: storage (host storage, deployment container,
// queues, tables), a user-assigned identity with least-privilege data roles, Key Vault for the
// secrets, Log Analytics + Application Insights, and the Function App on Flex Consumption.
// Deploy with `azd up` (azure.yaml) or `az deployment group create` (docs/deploy.md).

targetScope = 'resourceGroup'

@description('Short name of this installation (azd environment name); part of every resource name.')
@minLength(1)
@maxLength(24)
param environmentName string

@description('Azure region of every resource; it must offer the Flex Consumption plan.')
param location string = resourceGroup().location

@description('Object id of the administrator who sets the secrets and inspects queues; empty skips those grants.')
param principalId string = ''

@description('Kind of that principal.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param principalType string = 'User'

@description('Which Procore environment the app talks to (API-NOTES A1).')
@allowed([
  'production'
  'sandbox'
  'monthly-sandbox'
])
param procoreEnvironment string = 'production'

@description('Client id of the Procore app (Developer Managed Service Account).')
@minLength(1)
param procoreClientId string

@description('Tenant id of the Entra app registration; empty means the tenant of this subscription.')
param graphTenantId string = ''

@description('Application (client) id of the Entra app registration used for Microsoft Graph.')
@minLength(1)
param graphClientId string

@description('Mailbox that sends the notification emails (Graph sendMail).')
@minLength(3)
param notifySender string

@description('Comma-separated addresses told about every project; may be empty.')
param notifyAdminRecipients string = ''

@description('Prefix of every table name (letters and digits, starting with a letter), so installations can share nothing by accident.')
param tablePrefix string = ''

@description('Public base URL of the webhook receivers; empty means https://<app>.azurewebsites.net.')
param publicBaseUrl string = ''

@description('Path of a PEM key+certificate for Graph instead of a client secret; empty uses the Key Vault secret.')
param graphClientCertPath string = ''

@description('Thumbprint of that certificate.')
param graphClientCertThumbprint string = ''

@description('App log level.')
@allowed([
  'DEBUG'
  'INFO'
  'WARNING'
  'ERROR'
])
param logLevel string = 'INFO'

@description('Overrides of sync tunables, e.g. {"QUIET_PERIOD_S": "120"} (names as in shared/config.py).')
param syncTuning object = {}

@description('Memory of each Function App instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Most instances the Function App may scale out to. API budgets (not compute) bound throughput, so keep it modest. Preview-era docs gave 40 as the lowest allowed value [U].')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Replication of the storage account.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_RAGRS'
])
param storageSkuName string = 'Standard_LRS'

@description('Key Vault purge protection (irreversible once on).')
param keyVaultPurgeProtection bool = true

@description('Days Log Analytics keeps logs.')
param logRetentionInDays int = 30

@description('Extra tags for every resource.')
param tags object = {}

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var allTags = union(tags, { 'azd-env-name': environmentName, application: 'procore-sharepoint-sync' })

var names = {
  identity: 'id-${resourceToken}'
  storage: 'st${resourceToken}'
  keyVault: 'kv-${resourceToken}'
  workspace: 'log-${resourceToken}'
  insights: 'appi-${resourceToken}'
  plan: 'plan-${resourceToken}'
  functionApp: 'func-${resourceToken}'
  deploymentContainer: 'app-package'
}

var procoreHosts = {
  production: {
    auth: 'https://login.procore.com'
    api: 'https://api.procore.com'
  }
  sandbox: {
    auth: 'https://login-sandbox.procore.com'
    api: 'https://sandbox.procore.com'
  }
  'monthly-sandbox': {
    auth: 'https://login-sandbox-monthly.procore.com'
    api: 'https://api-monthly.procore.com'
  }
}

// Every queue of shared/queues.py ALL_QUEUES (tests/infra keeps the two in step). The host
// creates the `<queue>-poison` queues on first failure.
var queueNames = [
  'ping'
  'ping-replies'
  'sync-start'
  'folder-scan'
  'transfer'
  'project-tick'
  'delta-pull'
  'tool-export'
  'notify'
]

// Base names of the state tables (DESIGN §3); the full name is TABLE_PREFIX + base.
var tableBases = [
  'Projects'
  'Items'
  'Drives'
  'Work'
  'Log'
]

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: names.identity
    location: location
    tags: allTags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: names.storage
    location: location
    skuName: storageSkuName
    deploymentContainerName: names.deploymentContainer
    queueNames: queueNames
    tableNames: [for base in tableBases: '${tablePrefix}${base}']
    tags: allTags
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: names.keyVault
    location: location
    enablePurgeProtection: keyVaultPurgeProtection
    tags: allTags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    workspaceName: names.workspace
    insightsName: names.insights
    location: location
    retentionInDays: logRetentionInDays
    tags: allTags
  }
}

module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  params: {
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    insightsName: monitoring.outputs.insightsName
    appPrincipalId: identity.outputs.principalId
    adminPrincipalId: principalId
    adminPrincipalType: principalType
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  // The app must not start before its identity may read storage, secrets and telemetry.
  dependsOn: [
    rbac
  ]
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: allTags
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    storageEndpoints: {
      blob: storage.outputs.blobEndpoint
      queue: storage.outputs.queueEndpoint
      table: storage.outputs.tableEndpoint
    }
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    keyVaultUri: keyVault.outputs.uri
    insightsConnectionString: monitoring.outputs.connectionString
    tablePrefix: tablePrefix
    procoreUrls: procoreHosts[procoreEnvironment]
    procoreClientId: procoreClientId
    graphTenantId: empty(graphTenantId) ? tenant().tenantId : graphTenantId
    graphClientId: graphClientId
    graphClientCertPath: graphClientCertPath
    graphClientCertThumbprint: graphClientCertThumbprint
    publicBaseUrl: publicBaseUrl
    notifySender: notifySender
    notifyAdminRecipients: notifyAdminRecipients
    logLevel: logLevel
    syncTuning: syncTuning
  }
}

// azd stores these in the environment (.azure/<env>/.env); the guide reads them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output FUNCTION_APP_NAME string = functionApp.outputs.name
output FUNCTION_APP_URL string = functionApp.outputs.url
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
output KEY_VAULT_NAME string = keyVault.outputs.name
output KEY_VAULT_URI string = keyVault.outputs.uri
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.insightsName
output LOG_ANALYTICS_WORKSPACE_NAME string = monitoring.outputs.workspaceName
output MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
// Receiver routes planned for the webhook blueprints.
output PROCORE_WEBHOOK_URL string = '${functionApp.outputs.url}/api/webhooks/procore'
output GRAPH_WEBHOOK_URL string = '${functionApp.outputs.url}/api/webhooks/graph'
