// Every role assignment, side by side. The app's identity gets data roles on its own storage
// account, read access to secrets in its own vault and publish rights on its own Application
// Insights component, and nothing else (no management roles, no subscription-wide grants).
// The optional administrator (the person who runs the deployment) gets what the guide's steps
// need: setting secrets, and reading queues (poison messages) and tables.

@description('Name of the app storage account.')
param storageAccountName string

@description('Name of the Key Vault.')
param keyVaultName string

@description('Name of the Application Insights component.')
param insightsName string

@description('Principal (object) id of the app managed identity.')
param appPrincipalId string

@description('Object id of the administrator who sets the secrets; empty grants nothing.')
param adminPrincipalId string = ''

@description('Kind of the administrator principal.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param adminPrincipalType string = 'User'

// Built-in role definition ids (the same in every tenant).
var roles = {
  // Host storage: blobs for leases, timer schedule monitors and keys, and the container the
  // Functions host creates; also the Flex Consumption deployment package. Microsoft's guidance
  // for identity-based AzureWebJobsStorage names this role.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // Queue triggers and senders; also lets the host create `<queue>-poison` queues.
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  // The state tables (Projects, Items, Drives, Work, Log).
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  storageTableDataReader: '76199698-9eea-4c19-bc75-cec21354c6b6'
  // Key Vault references resolve with this role.
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  // Entra-authenticated telemetry ingestion (local auth is disabled on the component).
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

var appStorageRoles = [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]

var adminStorageRoles = [
  roles.storageQueueDataContributor
  roles.storageTableDataReader
]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource insights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: insightsName
}

resource appStorage 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in appStorageRoles: {
    name: guid(storage.id, appPrincipalId, roleId)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource appSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appPrincipalId, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource appTelemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(insights.id, appPrincipalId, roles.monitoringMetricsPublisher)
  scope: insights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource adminSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(adminPrincipalId)) {
  name: guid(vault.id, adminPrincipalId, roles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    principalId: adminPrincipalId
    principalType: adminPrincipalType
  }
}

resource adminStorage 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in adminStorageRoles: if (!empty(adminPrincipalId)) {
    name: guid(storage.id, adminPrincipalId, roleId)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: adminPrincipalId
      principalType: adminPrincipalType
    }
  }
]
