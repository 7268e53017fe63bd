// Event Grid drives the SceneUploaded blob trigger (Source = EventGrid): a system topic on the imagery storage account
// and a subscription that posts BlobCreated events under incoming/ to the Functions blob extension's webhook.
//
// The webhook needs the app's blobs_extension system key, which the Functions host creates when it first loads the
// blob extension, i.e. after the code is deployed; Event Grid also validates the endpoint when the subscription is
// created. So the subscription is deployed in a second pass (subscribe = true) after the first code deployment.

param systemTopicName string
param location string
param tags object = {}

@description('Imagery storage account that raises the blob events.')
param storageAccountName string

@description('Functions app whose blob extension receives the events.')
param functionAppName string

@description('Function name (functions.metadata) of the blob trigger with Source = EventGrid.')
param functionName string = 'SceneUploaded'

@description('Container the blob trigger watches.')
param containerName string = 'incoming'

@description('Create the event subscription (only once the app code is deployed: see the comment at the top).')
param subscribe bool = false

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: systemTopicName
  location: location
  tags: tags
  properties: {
    source: account.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

resource blobCreated 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = if (subscribe) {
  parent: systemTopic
  name: '${toLower(functionName)}-blob-created'
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: 'https://${functionApp.properties.defaultHostName}/runtime/webhooks/blobs?functionName=Host.Functions.${functionName}&code=${listKeys('${functionApp.id}/host/default', '2024-04-01').systemKeys.blobs_extension}'
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
      ]
      subjectBeginsWith: '/blobServices/default/containers/${containerName}/'
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}

output systemTopicName string = systemTopic.name
output subscribed bool = subscribe
