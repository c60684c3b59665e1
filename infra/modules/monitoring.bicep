// Log Analytics workspace and a workspace-based Application Insights component. Local
// (instrumentation-key) ingestion is disabled: the app authenticates with its managed identity
// (APPLICATIONINSIGHTS_AUTHENTICATION_STRING) and needs Monitoring Metrics Publisher (rbac.bicep).

@description('Name of the Log Analytics workspace.')
param workspaceName string

@description('Name of the Application Insights component.')
param insightsName string

@description('Azure region.')
param location string

@description('Days the workspace keeps logs.')
@minValue(30)
@maxValue(730)
param retentionInDays int = 30

@description('Tags for the resources.')
param tags object = {}

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: insightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
  }
}

output insightsName string = insights.name
output insightsId string = insights.id
// The connection string names the component; it grants nothing while local auth is disabled.
output connectionString string = insights.properties.ConnectionString
output workspaceName string = workspace.name
