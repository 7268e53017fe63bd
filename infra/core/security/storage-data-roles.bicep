// Data-plane roles for one principal on one storage account: the three a Functions app needs to read and write
// blobs (and create containers), queues (and their poison queues) and tables with its managed identity. No management
// role and no key access.

param storageAccountName string

@description('Object (principal) id of the identity that gets the roles.')
param principalId string

@description('Stable text that tells this principal apart in the role assignment names (its name, or its object id when that is a deployment parameter); known before deployment, so What-If can predict the assignments.')
param principalKey string

@allowed([
  'ServicePrincipal'
  'User'
  'Group'
])
param principalType string = 'ServicePrincipal'

// Built-in role definition ids (the same in every tenant).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
}

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in items(roles): {
    name: guid(account.id, principalKey, role.value)
    scope: account
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.value)
      principalId: principalId
      principalType: principalType
    }
  }
]
