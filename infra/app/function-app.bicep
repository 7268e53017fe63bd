// The ChangeWatch Functions app on a Flex Consumption plan: .NET isolated worker, code deployed to a blob container
// of the host storage account, running as a user-assigned identity. Every storage connection is identity-based
// (service URIs + credential + client id); no key or connection string is stored in the app's settings.

param name string
param planName string
param location string
param tags object = {}

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity (selects it for storage and Application Insights).')
param identityClientId string

@description('Host storage (AzureWebJobsStorage): blob, queue and table endpoints.')
param hostStorage {
  blobEndpoint: string
  queueEndpoint: string
  tableEndpoint: string
}

@description('Blob container of the host storage that holds the deployment package.')
param deploymentContainerName string

@description('Imagery storage (connection ChangeWatchStorage): blob, queue and table endpoints.')
param imageryStorage {
  blobEndpoint: string
  queueEndpoint: string
  tableEndpoint: string
}

@description('Application Insights connection string (an identifier, not a secret: local auth is off).')
param applicationInsightsConnectionString string

@description('Memory of each instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Most instances the plan scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('ChangeWatch__BatchSize: tiles per tile-batches message (PipelineOptions.BatchSize).')
@minValue(1)
@maxValue(256)
param tileBatchSize int = 16

@description('ChangeWatch__ModelVersion: the change model folder under models/ (PipelineOptions.ModelVersion). v1 = synthetic tile model (the demo); v8 = pixel model recommended for real imagery, v9 = v8 with edge-following smoothing; both research / non-commercial terms (ml-models/models/v8/MODEL.md, v9/MODEL.md).')
@allowed([
  'v1'
  'v2'
  'v3'
  'v4'
  'v5'
  'v6'
  'v7'
  'v8'
  'v9'
])
param modelVersion string = 'v1'

@description('Queue messages one instance takes per trigger at a time (host.json extensions.queues.batchSize).')
@minValue(1)
@maxValue(32)
param queueBatchSize int = 8

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

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'functions' })
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
    siteConfig: {
      minTlsVersion: '1.2'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${hostStorage.blobEndpoint}${deploymentContainerName}'
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
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

// Flex Consumption takes the runtime from functionAppConfig: FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION
// are not allowed here.
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: {
    AzureWebJobsStorage__blobServiceUri: hostStorage.blobEndpoint
    AzureWebJobsStorage__queueServiceUri: hostStorage.queueEndpoint
    AzureWebJobsStorage__tableServiceUri: hostStorage.tableEndpoint
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    ChangeWatchStorage__blobServiceUri: imageryStorage.blobEndpoint
    ChangeWatchStorage__queueServiceUri: imageryStorage.queueEndpoint
    ChangeWatchStorage__tableServiceUri: imageryStorage.tableEndpoint
    ChangeWatchStorage__credential: 'managedidentity'
    ChangeWatchStorage__clientId: identityClientId
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    ChangeWatch__BatchSize: string(tileBatchSize)
    ChangeWatch__ModelVersion: modelVersion
    AzureFunctionsJobHost__extensions__queues__batchSize: string(queueBatchSize)
  }
}

// No publishing with user name and password: deployments authenticate with Microsoft Entra ID.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

output name string = functionApp.name
output id string = functionApp.id
output defaultHostName string = functionApp.properties.defaultHostName
