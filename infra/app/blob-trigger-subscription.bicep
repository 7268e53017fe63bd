// The Event Grid subscription that drives a blob trigger with Source = EventGrid: BlobCreated events under one
// container go to the Functions blob extension's webhook for that function.
//
// The webhook needs the app's blobs_extension system key, which the Functions host creates when it first loads the
// blob extension, i.e. after the code is deployed, and Event Grid validates the endpoint when the subscription is
// created. So main.bicep deploys this module only on a second pass (subscribeBlobTrigger = true); as a whole module
// it is not evaluated at all before then, so its listKeys never runs against an app without code.

@description('System topic of the imagery storage account.')
param systemTopicName string

@description('Functions app whose blob extension receives the events.')
param functionAppName string

@description('Function name (functions.metadata) of the blob trigger with Source = EventGrid.')
param functionName string

@description('Container the blob trigger watches.')
param containerName string

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: systemTopicName
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource blobCreated 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
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

output name string = blobCreated.name
