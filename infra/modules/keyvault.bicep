// Key Vault for the app's secrets (Procore client secret, Procore webhook secret, Graph client
// secret, Graph clientState). Access is by Azure RBAC only (no access policies); the template
// creates the vault but never a secret value: the administrator sets them (docs/deploy.md), so
// no secret passes through a template, a parameter file or a deployment history.

@description('Name of the vault (3-24 characters).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Purge protection cannot be turned off again once on; keep it on in production.')
param enablePurgeProtection bool = true

@description('Tags for the resource.')
param tags object = {}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // The API accepts true or an absent value, never false.
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
  }
}

output name string = vault.name
output id string = vault.id
output uri string = vault.properties.vaultUri
