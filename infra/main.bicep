// ChangeWatch in Azure: everything the Functions app needs, in one deployment (azd provision, or
// az deployment sub create). Names of containers, queues and tables are those of
// functions/ChangeWatch.Core/Pipeline/StorageNames.cs; tests/ChangeWatch.Infra.Tests keeps the two in step.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Environment name (azd): names the resource group and seeds the unique names of everything in it.')
param environmentName string

@minLength(1)
@description('Region of every resource; it must offer Flex Consumption with .NET 10 isolated.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Resource group name; empty: rg-<environmentName>.')
param resourceGroupName string = ''

@description('Memory of each Functions instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Most instances the Functions app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Tiles per tile-batches message (app setting ChangeWatch__BatchSize); smaller spreads a scene over more instances.')
@minValue(1)
@maxValue(256)
param tileBatchSize int = 16

@description('Change model version the app loads (app setting ChangeWatch__ModelVersion). v1 = synthetic tile model (the demo); v8 = pixel model recommended for real imagery (resolution experts for 0.5, 1.5 and 10 m plus one pooled model for other sensors, thresholded per tile; vehicle gatherings flagged by object evidence at 1.5 m or finer); v9 = v8 with edge-following smoothing (higher pixel F1, more false alarms on nuisance-only tiles). Both trained on research-licensed data: research / non-commercial use only (ml-models/models/v8/MODEL.md, v9/MODEL.md).')
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

@description('Queue messages each instance takes per function at a time (host.json extensions.queues.batchSize).')
@minValue(1)
@maxValue(32)
param queueBatchSize int = 8

@description('Create the Event Grid subscription that drives the SceneUploaded blob trigger. Leave false until the app code is deployed once (docs/deploy.md).')
param subscribeBlobTrigger bool = false

@description('Object id of a user or group to give the same data roles on the imagery storage (uploads, reading reports); empty: none.')
param operatorPrincipalId string = ''

@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param operatorPrincipalType string = 'User'

var token = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  application: 'changewatch'
}
var deploymentContainerName = 'app-package'
// Names are known before deployment (not read from module outputs), so What-If predicts every resource.
var names = {
  identity: 'id-changewatch-${token}'
  hostStorage: 'stcwhost${take(token, 16)}'
  imageryStorage: 'stcwdata${take(token, 16)}'
  logAnalytics: 'log-changewatch-${token}'
  applicationInsights: 'appi-changewatch-${token}'
  functionApp: 'func-changewatch-${token}'
  plan: 'plan-changewatch-${token}'
  systemTopic: 'evgt-changewatch-${token}'
}

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'core/security/user-assigned-identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

// The Functions host's own storage (AzureWebJobsStorage): deployment package, blob trigger receipts, locks.
module hostStorage 'core/storage/storage-account.bicep' = {
  name: 'host-storage'
  scope: rg
  params: {
    name: names.hostStorage
    location: location
    tags: tags
    containers: [
      'app-package'
    ]
  }
}

// The imagery storage (connection ChangeWatchStorage): DESIGN.md "Storage layout". Poison queues are created here too,
// so monitoring and `changewatch status` see them before the first failure.
module imageryStorage 'core/storage/storage-account.bicep' = {
  name: 'imagery-storage'
  scope: rg
  params: {
    name: names.imageryStorage
    location: location
    tags: tags
    containers: [
      'incoming'
      'tiles'
      'reports'
      'quarantine'
      'models'
    ]
    queues: [
      'scene-ingest'
      'tile-batches'
      'change-flags'
      'reports-ready'
      'scene-ingest-poison'
      'tile-batches-poison'
      'change-flags-poison'
      'reports-ready-poison'
    ]
    tables: [
      'scenes'
      'tiles'
      'rejections'
      'custody'
      'reviews'
      'sites'
    ]
  }
}

module hostStorageRoles 'core/security/storage-data-roles.bicep' = {
  name: 'host-storage-roles'
  scope: rg
  params: {
    storageAccountName: names.hostStorage
    principalId: identity.outputs.principalId
    principalKey: names.identity
  }
  dependsOn: [
    hostStorage
  ]
}

module imageryStorageRoles 'core/security/storage-data-roles.bicep' = {
  name: 'imagery-storage-roles'
  scope: rg
  params: {
    storageAccountName: names.imageryStorage
    principalId: identity.outputs.principalId
    principalKey: names.identity
  }
  dependsOn: [
    imageryStorage
  ]
}

module operatorImageryRoles 'core/security/storage-data-roles.bicep' = if (!empty(operatorPrincipalId)) {
  name: 'operator-imagery-roles'
  scope: rg
  params: {
    storageAccountName: names.imageryStorage
    principalId: operatorPrincipalId
    principalKey: operatorPrincipalId
    principalType: operatorPrincipalType
  }
  dependsOn: [
    imageryStorage
  ]
}

module monitoring 'core/monitor/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    location: location
    tags: tags
    publisherPrincipalId: identity.outputs.principalId
    publisherKey: names.identity
  }
}

module functionApp 'app/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    hostStorage: {
      blobEndpoint: hostStorage.outputs.blobEndpoint
      queueEndpoint: hostStorage.outputs.queueEndpoint
      tableEndpoint: hostStorage.outputs.tableEndpoint
    }
    deploymentContainerName: deploymentContainerName
    imageryStorage: {
      blobEndpoint: imageryStorage.outputs.blobEndpoint
      queueEndpoint: imageryStorage.outputs.queueEndpoint
      tableEndpoint: imageryStorage.outputs.tableEndpoint
    }
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    tileBatchSize: tileBatchSize
    queueBatchSize: queueBatchSize
    modelVersion: modelVersion
  }
  // The app starts with its identity's data roles in place.
  dependsOn: [
    hostStorageRoles
    imageryStorageRoles
  ]
}

module sceneUploadEvents 'app/scene-upload-events.bicep' = {
  name: 'scene-upload-events'
  scope: rg
  params: {
    systemTopicName: names.systemTopic
    location: location
    tags: tags
    storageAccountName: names.imageryStorage
  }
  dependsOn: [
    imageryStorage
  ]
}

// Second pass only, once the app code is deployed (docs/deploy.md, step 3).
module blobTriggerSubscription 'app/blob-trigger-subscription.bicep' = if (subscribeBlobTrigger) {
  name: 'blob-trigger-subscription'
  scope: rg
  params: {
    systemTopicName: names.systemTopic
    functionAppName: names.functionApp
    functionName: 'SceneUploaded'
    containerName: 'incoming'
  }
  dependsOn: [
    sceneUploadEvents
    functionApp
  ]
}

// Read by azd (and by docs/deploy.md's az commands) as environment values.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_HOSTNAME string = functionApp.outputs.defaultHostName
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_HOST_STORAGE_ACCOUNT string = hostStorage.outputs.name
output AZURE_DEPLOYMENT_CONTAINER string = deploymentContainerName
output AZURE_IMAGERY_STORAGE_ACCOUNT string = imageryStorage.outputs.name
output AZURE_IMAGERY_STORAGE_ID string = imageryStorage.outputs.id
output AZURE_IMAGERY_BLOB_ENDPOINT string = imageryStorage.outputs.blobEndpoint
output AZURE_IMAGERY_QUEUE_ENDPOINT string = imageryStorage.outputs.queueEndpoint
output AZURE_IMAGERY_TABLE_ENDPOINT string = imageryStorage.outputs.tableEndpoint
output AZURE_APPLICATION_INSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output AZURE_LOG_ANALYTICS_WORKSPACE_NAME string = monitoring.outputs.workspaceName
output AZURE_EVENTGRID_SYSTEM_TOPIC_NAME string = sceneUploadEvents.outputs.systemTopicName
output AZURE_BLOB_TRIGGER_SUBSCRIBED bool = subscribeBlobTrigger
