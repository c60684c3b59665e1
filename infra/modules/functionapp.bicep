// The Function App on the Flex Consumption plan (Linux, Python 3.11, Functions v4) and its app
// settings. Every setting the app reads (shared/config.py) is written here; tests/infra checks
// that the two lists agree. Flex Consumption takes the runtime and deployment source from
// functionAppConfig, so FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION and the
// WEBSITE_* deployment settings are deliberately absent (they are deprecated on this plan).

@description('Name of the Function App.')
param name string

@description('Name of the Flex Consumption plan (one app per plan).')
param planName string

@description('Azure region.')
param location string

@description('Tags for the resources; the app also gets the azd service tag.')
param tags object = {}

@description('Service name in azure.yaml that deploys to this app.')
param azdServiceName string = 'api'

@description('Memory of each instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Upper bound of instances the platform may scale out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity.')
param identityClientId string

@description('Name of the app storage account.')
param storageAccountName string

@description('Blob, queue and table endpoints of that account.')
param storageEndpoints object

@description('URL of the blob container holding deployment packages.')
param deploymentContainerUrl string

@description('Key Vault URI (https://<vault>.vault.azure.net/).')
param keyVaultUri string

@description('Application Insights connection string.')
param insightsConnectionString string

@description('TABLE_PREFIX: prefix of every table name.')
param tablePrefix string

@description('Procore auth and API base URLs.')
param procoreUrls object

@description('PROCORE_CLIENT_ID of the Procore DMSA app.')
param procoreClientId string

@description('GRAPH_TENANT_ID: tenant of the Entra app registration.')
param graphTenantId string

@description('GRAPH_CLIENT_ID: application (client) id of the Entra app registration.')
param graphClientId string

@description('GRAPH_CLIENT_CERT_PATH: PEM key and certificate instead of a client secret; empty uses the secret.')
param graphClientCertPath string = ''

@description('GRAPH_CLIENT_CERT_THUMBPRINT of that certificate.')
param graphClientCertThumbprint string = ''

@description('PUBLIC_BASE_URL; empty means the app default host name.')
param publicBaseUrl string = ''

@description('NOTIFY_SENDER: the mailbox that sends notifications.')
param notifySender string

@description('NOTIFY_ADMIN_RECIPIENTS: comma-separated addresses told about every project.')
param notifyAdminRecipients string = ''

@description('LOG_LEVEL of the app.')
@allowed([
  'DEBUG'
  'INFO'
  'WARNING'
  'ERROR'
])
param logLevel string = 'INFO'

@description('Overrides of the sync tunables below (app-setting name to string value).')
param syncTuning object = {}

var secretsUri = '${keyVaultUri}secrets/'

// Settings the Functions host reads and the app does not (tests/infra HOST_ONLY_SETTINGS).
var hostSettings = {
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__blobServiceUri: storageEndpoints.blob
  AzureWebJobsStorage__queueServiceUri: storageEndpoints.queue
  AzureWebJobsStorage__tableServiceUri: storageEndpoints.table
  APPLICATIONINSIGHTS_CONNECTION_STRING: insightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}

// Settings of shared/config.py that depend on this deployment. Secrets are Key Vault
// references (versionless, so a new secret version is picked up without a redeploy).
var appSettings = {
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__clientId: identityClientId
  TABLE_PREFIX: tablePrefix
  PROCORE_AUTH_URL: procoreUrls.auth
  PROCORE_API_URL: procoreUrls.api
  PROCORE_CLIENT_ID: procoreClientId
  PROCORE_USER_AGENT: 'ProcoreSharePointSync/0.1'
  PROCORE_CLIENT_SECRET: '@Microsoft.KeyVault(SecretUri=${secretsUri}procore-client-secret/)'
  PROCORE_WEBHOOK_SECRET: '@Microsoft.KeyVault(SecretUri=${secretsUri}procore-webhook-secret/)'
  GRAPH_AUTHORITY_HOST: 'https://login.microsoftonline.com'
  GRAPH_API_URL: 'https://graph.microsoft.com/v1.0'
  GRAPH_SCOPE: 'https://graph.microsoft.com/.default'
  GRAPH_TENANT_ID: graphTenantId
  GRAPH_CLIENT_ID: graphClientId
  GRAPH_CLIENT_SECRET: empty(graphClientCertPath) ? '@Microsoft.KeyVault(SecretUri=${secretsUri}graph-client-secret/)' : ''
  GRAPH_CLIENT_CERT_PATH: graphClientCertPath
  GRAPH_CLIENT_CERT_THUMBPRINT: graphClientCertThumbprint
  GRAPH_USER_AGENT: 'NONISV|ProcoreSharePointSync|ProcoreSharePointSync/0.1'
  GRAPH_CLIENT_STATE: '@Microsoft.KeyVault(SecretUri=${secretsUri}graph-client-state/)'
  PUBLIC_BASE_URL: empty(publicBaseUrl) ? 'https://${site.properties.defaultHostName}' : publicBaseUrl
  NOTIFY_SENDER: notifySender
  NOTIFY_ADMIN_RECIPIENTS: notifyAdminRecipients
  LOG_LEVEL: logLevel
}

// Sync tunables at the model's defaults (tests/infra checks they match shared/config.py);
// change them through the syncTuning parameter rather than here.
var syncDefaults = {
  PROCORE_PER_PAGE: '100'
  PROCORE_RATE_RESERVE: '5'
  PROCORE_TIMEOUT_S: '60'
  PROCORE_UPLOAD_PART_BYTES: '8388608'
  PROCORE_PACE_MAX_WAIT_S: '10'
  PROCORE_GET_RETRIES: '2'
  PROCORE_TOKEN_RENEW_BEFORE_S: '300'
  PROCORE_DIRECT_UPLOAD_MAX_BYTES: '8388608'
  // v2.1 is unconfirmed for Documents files (API-NOTES A6 [U]).
  PROCORE_UPLOAD_FLOW: 'v1.1'
  GRAPH_TIMEOUT_S: '60'
  GRAPH_SIMPLE_UPLOAD_MAX_BYTES: '4194304'
  GRAPH_UPLOAD_CHUNK_BYTES: '10485760'
  QUIET_PERIOD_S: '60'
  DELETE_LIMIT_PER_DAY: '50'
  DELETE_SHARE_STOP: '0.5'
  PROCORE_POLL_INTERVAL_S: '300'
  PROCORE_POLL_OVERLAP_S: '120'
  GRAPH_DELTA_INTERVAL_S: '300'
  SUBSCRIPTION_RENEW_BEFORE_H: '72'
  GRAPH_SUBSCRIPTION_MINUTES: '42300'
  PROCORE_WEBHOOK_NAMESPACE: 'procore-sharepoint-sync'
  WEBHOOK_EVENT_KEEP_H: '24'
  TRANSFER_BATCH_SIZE: '20'
  MAX_FILE_BYTES: '268435456000'
  EXPORT_PAGE_SIZE: '100'
  EXPORT_KEEP_SUPERSEDED_DRAWINGS: 'false'
  EXPORT_DELETED_ITEMS: 'recycle'
  EXPORT_FULL_LIST_INTERVAL_S: '3600'
  EXPORT_POLL_MIN_INTERVAL_S: '300'
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': azdServiceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'python'
        version: '3.11'
      }
    }
  }
}

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: union(hostSettings, appSettings, syncDefaults, syncTuning)
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
output url string = 'https://${site.properties.defaultHostName}'
