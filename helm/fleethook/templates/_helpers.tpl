{{/* Chart name. */}}
{{- define "fleethook.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Full name of the release's objects. */}}
{{- define "fleethook.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Common labels. */}}
{{- define "fleethook.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "fleethook.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels. */}}
{{- define "fleethook.selectorLabels" -}}
app.kubernetes.io/name: {{ include "fleethook.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Service account name. */}}
{{- define "fleethook.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "fleethook.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding the database credentials. */}}
{{- define "fleethook.databaseSecret" -}}
{{- default (printf "%s-db" (include "fleethook.fullname" .)) .Values.database.existingSecret -}}
{{- end -}}

{{/* The Secret holding the first operator's password, if any. */}}
{{- define "fleethook.operatorSecret" -}}
{{- default (printf "%s-operator" (include "fleethook.fullname" .)) .Values.portal.operatorExistingSecret -}}
{{- end -}}

{{/* Whether the first operator's password is given (else the portal generates one and logs it once). */}}
{{- define "fleethook.hasOperatorPassword" -}}
{{- if or .Values.portal.operatorExistingSecret .Values.portal.operatorPassword -}}true{{- end -}}
{{- end -}}
