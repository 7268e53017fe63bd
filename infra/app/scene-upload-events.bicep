// The Event Grid system topic of the imagery storage account: the source of the BlobCreated events that drive the
// SceneUploaded blob trigger (Source = EventGrid). The subscription is app/blob-trigger-subscription.bicep.

param systemTopicName string
param location string
param tags object = {}

@description('Imagery storage account that raises the blob events.')
param storageAccountName string

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
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

output systemTopicName string = systemTopic.name
