// The user-assigned managed identity the Function App runs as. One identity serves storage
// (identity-based AzureWebJobsStorage), Key Vault references, deployment-package download and
// Application Insights ingestion, so every grant it holds is listed in rbac.bicep.

@description('Name of the managed identity.')
param name string

@description('Azure region.')
param location string

@description('Tags for the resource.')
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
