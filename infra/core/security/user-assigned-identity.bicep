// The user-assigned managed identity the Functions app runs as. Created before the app so its roles can be granted
// before the first start (a system-assigned identity would exist only once the app does).

param name string
param location string
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
